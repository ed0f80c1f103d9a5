package freshness

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"waymark"
	"waymark/internal/directory"
	"waymark/internal/email"
)

// The emails the checks send to providers, each queued in the transaction
// of the suspension it reports.

// websiteChangedEmail tells a provider the website check took their listing
// out of search, what it found, and how to confirm the listing.
func websiteChangedEmail(publicURL string, l Listings, svc *directory.Service, reasons []string) email.Message {
	lines := []string{"Hello,",
		"We check the website of each listing on Waymark every so often. The website of \"" + svc.DisplayName() +
			"\" (" + svc.Website + ") has changed since we last looked, so we have taken the listing out of search until you check it.",
		"What we found:"}
	for _, r := range reasons {
		lines = append(lines, "- "+r)
	}
	lines = append(lines, "If the listing is still right, confirm it with the first link (it works for 14 days, no sign-in needed) and it goes back into search. If something has changed, sign in to Waymark and edit the listing.")
	return email.Compose(svc.ProviderEmail(), "Please check your Waymark listing", lines,
		confirmURL(publicURL, l, svc.ID), "The listing is still right",
		strings.TrimRight(publicURL, "/")+"/provider", "Your listings")
}

// unconfirmedEmail asks the provider of a listing suspended after a manual
// check to confirm it is still running.
func unconfirmedEmail(publicURL string, l Listings, svc *directory.Service) email.Message {
	return email.Compose(svc.ProviderEmail(), "Is your service still running?", []string{"Hello,",
		"We check every listing on Waymark every few months. We tried to check that \"" + svc.DisplayName() +
			"\" is still running and could not confirm it, so we have taken the listing out of search for now.",
		"If the service is still running as described, confirm it with the first link (it works for 14 days, no sign-in needed) and it goes back into search. If something has changed, sign in to Waymark and edit the listing."},
		confirmURL(publicURL, l, svc.ID), "The service is still running",
		strings.TrimRight(publicURL, "/")+"/provider", "Your listings")
}

// queue queues m for the provider of svc in the caller's transaction. A
// listing without an address is not emailed; one whose address cannot be
// used is logged, and the suspension stands.
func queue(ctx context.Context, mail Mailer, log *slog.Logger, svc *directory.Service, m email.Message) error {
	if m.To == "" {
		return nil
	}
	err := mail.Send(ctx, m)
	if waymark.ErrorCode(err) == waymark.EINVALID {
		log.Warn("provider address not usable", "service_id", svc.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("email provider of %s: %w", svc.ID, err)
	}
	return nil
}

// confirmURL is the absolute address of the provider's signed confirmation
// link for a listing.
func confirmURL(publicURL string, l Listings, serviceID string) string {
	return strings.TrimRight(publicURL, "/") + "/services/" + serviceID + "/confirm?" + l.ConfirmLink(serviceID)
}
