package account

import (
	"net/url"

	"waymark/internal/email"
)

// The emails the account rules send, each built from the configured public
// address.

// verifyEmail asks a new account's owner to confirm their address; the link
// brings them back to next, if any, once they sign in.
func verifyEmail(m email.Mailer, u *User, token, next string) email.Message {
	link := "/verify-email?token=" + url.QueryEscape(token)
	if next != "" {
		link += "&next=" + url.QueryEscape(next)
	}
	return email.Compose(u.Email, "Confirm your email address for Waymark",
		[]string{"Hello " + u.Name + ",", "Confirm your email address by opening this link within 3 days.",
			"If you did not create a Waymark account, ignore this email."},
		m.Link(link), "Confirm your email address")
}

// resetEmail carries a password reset link.
func resetEmail(m email.Mailer, u *User, token string) email.Message {
	return email.Compose(u.Email, "Reset your Waymark password",
		[]string{"Hello " + u.Name + ",", "Someone asked to reset your Waymark password. To choose a new one, open this link within an hour.",
			"If it was not you, ignore this email: your password has not changed."},
		m.Link("/reset-password?token="+url.QueryEscape(token)), "Choose a new password")
}

// inviteEmail tells an invited person how to choose their password.
func inviteEmail(m email.Mailer, u *User, token string) email.Message {
	return email.Compose(u.Email, "You are invited to Waymark",
		[]string{"Hello " + u.Name + ",", "You have been given a Waymark account. Choose your password within 7 days with this link, then sign in with this email address."},
		m.Link("/reset-password?token="+url.QueryEscape(token)), "Choose your password")
}

// noAccountEmail answers a request to reset the password of an address
// that has no account.
func noAccountEmail(m email.Mailer, addr string) email.Message {
	return email.Compose(addr, "Reset your Waymark password",
		[]string{"Hello,", "Someone asked to reset the Waymark password for this email address, but there is no Waymark account for it. If you have an account under another address, ask again with that one, or create an account.",
			"If it was not you, ignore this email."},
		m.Link("/register"), "Create an account")
}

// alreadyRegisteredEmail tells an account's owner that someone tried to
// create another account with their address.
func alreadyRegisteredEmail(m email.Mailer, addr string) email.Message {
	return email.Compose(addr, "You already have a Waymark account",
		[]string{"Hello,", "Someone, perhaps you, tried to create a Waymark account with this email address, which already has one.",
			"Sign in, or if you have forgotten your password, reset it (this also confirms your address).",
			"If it was not you, ignore this email: nothing has changed."},
		m.Link("/sign-in"), "Sign in", m.Link("/forgot-password"), "Reset your password")
}
