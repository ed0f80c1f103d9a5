package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
)

// TestJourneyPracticeReferralToDischargeLetter is a GP practice's journey
// in a real browser on the demo data: the practice manager refers a
// patient to the practice's social prescribing team; the team lead
// allocates the referral; the link worker accepts it, starts working with
// the person and discharges them; the practice sees the referral completed
// and reads the discharge letter.
func TestJourneyPracticeReferralToDischargeLetter(t *testing.T) {
	r := startServer(t)

	practice := signIn(t, r.URL, "practice@demo.waymark.example", "/practice/refer")
	browsertest.Do(t, practice, "open the referral form", chromedp.WaitVisible(`input[name="nhs_number"]`))
	browsertest.CheckAxe(t, practice, "practice referral form")
	fill(t, practice, "fill in the form", `{"to": "team", "nhs_number": "401 023 2137", "given_name": "Walter", "family_name": "Gregory",
		"birth_date_day": "9", "birth_date_month": "11", "birth_date_year": "1944", "postcode": "DE4 3AG", "phone": "01629 580777",
		"reason": "Widowed last year; rarely leaves the house and says he misses company.", "consent": "yes"}`)
	browsertest.Do(t, practice, "send it",
		chromedp.Submit(`input[name="nhs_number"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Walter Gregory"]`),
		chromedp.WaitVisible(`//strong[normalize-space()="Requested"]`),
	)
	referral := browsertest.Get(t, practice, "note the referral", chromedp.Location())
	referral, _, _ = strings.Cut(referral, "?")
	browsertest.CheckAxe(t, practice, "practice referral")

	worker, record := allocateAndAccept(t, r.URL, "Walter Gregory")

	browsertest.Do(t, practice, "the practice sees it accepted", chromedp.Navigate(referral), chromedp.WaitVisible(`//strong[normalize-space()="Accepted"]`))

	saveRecordForm(t, worker, record, "/status", "first contact", `{"status": "active", "note": "First call made"}`)
	browsertest.Do(t, practice, "the practice sees it in progress", chromedp.Navigate(referral), chromedp.WaitVisible(`//strong[normalize-space()="In progress"]`))
	saveRecordForm(t, worker, record, "/discharge", "discharge", `{"reason": "goals_met", "summary": "Walter goes to the lunch club twice a week and has joined the men's shed."}`)

	browsertest.Do(t, practice, "the practice sees it completed",
		chromedp.Navigate(r.URL+"/practice"),
		chromedp.WaitVisible(`//td[contains(., "Walter Gregory")]`),
		chromedp.WaitVisible(`//td[contains(., "Discharged: Goals met")]`),
	)
	browsertest.CheckAxe(t, practice, "practice referrals")
	browsertest.Screenshot(t, practice, "journey-practice-referrals")
	browsertest.Do(t, practice, "open the letter",
		chromedp.Navigate(referral),
		chromedp.WaitVisible(`//strong[normalize-space()="Completed"]`),
		chromedp.Click(`//a[normalize-space()="Read the discharge letter"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Social prescribing discharge summary"]`),
	)
	letter := browsertest.Get(t, practice, "read the letter", chromedp.Text(`main`))
	for _, want := range []string{"Walter Gregory", "401 023 2137", "Widowed last year", "Goals met", "the men's shed", "Lime Grove Medical Centre"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the discharge letter lacks %q", want)
		}
	}
	browsertest.CheckAxe(t, practice, "practice discharge letter")
	browsertest.Screenshot(t, practice, "journey-practice-letter")
}
