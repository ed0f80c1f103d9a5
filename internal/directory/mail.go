package directory

import (
	"context"

	"waymark/internal/email"
)

// The emails the listing rules send to providers, each built from the
// configured public address.

// send queues mails; the caller runs it inside the change's transaction.
func (l *Lifecycle) send(ctx context.Context, mails []email.Message) error {
	for _, m := range mails {
		if err := l.mail.Send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// listingDeclinedEmail tells a provider what a moderator wants changed
// before their listing can go live.
func listingDeclinedEmail(m email.Mailer, svc *Service, note string) email.Message {
	return email.Compose(svc.Email, "Your Waymark listing needs changes",
		[]string{"Hello,", "A moderator has looked at your listing \"" + svc.DisplayName() + "\" and it needs changes before it can go live:", note,
			"Sign in to Waymark to change it and post it again."},
		m.Link("/provider"), "Your listings")
}

// suspendedByModeratorEmail tells a provider a moderator took their
// listing out of search, and why.
func suspendedByModeratorEmail(m email.Mailer, svc *Service, note string) email.Message {
	return email.Compose(svc.Email, "Your Waymark listing is paused",
		[]string{"Hello,", "A moderator has taken your listing \"" + svc.DisplayName() + "\" out of search for now:", note,
			"Its page stays online and says the service is paused. Sign in to Waymark to change the listing; a moderator will look at it again and reopen it."},
		m.Link("/provider"), "Your listings")
}

// changesDeclinedEmail tells a provider a moderator did not approve their
// changes to a live listing.
func changesDeclinedEmail(m email.Mailer, proposed *Service, note string) email.Message {
	return email.Compose(proposed.Email, "Your changes to a Waymark listing were not approved",
		[]string{"Hello,", "A moderator looked at your changes to \"" + proposed.DisplayName() + "\" and did not approve them:", note,
			"The listing stays as it was. Sign in to change it again."},
		m.Link("/provider"), "Your listings")
}
