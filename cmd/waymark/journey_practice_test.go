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

	lead := signIn(t, r.URL, "teamlead@demo.waymark.example", "/casework/waiting")
	browsertest.Do(t, lead, "see Walter waiting", chromedp.WaitVisible(`//td[contains(., "Walter Gregory")]`))
	browsertest.Get(t, lead, "choose Lee for Walter", chromedp.Evaluate[bool](`(function () {
	  const row = [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('Walter Gregory'));
	  const sel = row.querySelector('select[name="worker"]');
	  sel.value = [...sel.options].find(o => o.textContent === 'Lee Link Worker').value;
	  sel.form.submit();
	  return true;
	})()`))
	browsertest.Do(t, lead, "allocated", chromedp.WaitVisible(`//p[normalize-space()="Saved."]`))

	worker := signIn(t, r.URL, "linkworker@demo.waymark.example", "/casework/waiting")
	browsertest.Do(t, worker, "see Walter on the waiting list", chromedp.WaitVisible(`//td[contains(., "Walter Gregory")]`))
	browsertest.Get(t, worker, "accept Walter", chromedp.Evaluate[bool](`(function () {
	  const row = [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('Walter Gregory'));
	  row.querySelector('form[action$="/accept"]').submit();
	  return true;
	})()`))
	browsertest.Do(t, worker, "on Walter's record", chromedp.WaitVisible(`//h1[normalize-space()="Walter Gregory"]`))
	record := browsertest.Get(t, worker, "note the record", chromedp.Location())
	record = strings.TrimSuffix(record, "?saved=1")

	browsertest.Do(t, practice, "the practice sees it accepted", chromedp.Navigate(referral), chromedp.WaitVisible(`//strong[normalize-space()="Accepted"]`))

	form := func(path, what, values string) {
		t.Helper()
		browsertest.Do(t, worker, "open "+what, chromedp.Navigate(record+path), chromedp.WaitVisible(`main form[method="post"] button[type="submit"]`))
		fill(t, worker, what, values)
		browsertest.Do(t, worker, "save "+what,
			chromedp.Submit(`main form[method="post"] button[type="submit"]`),
			chromedp.WaitVisible(`//p[normalize-space()="Saved."]`),
		)
	}
	form("/status", "first contact", `{"status": "active", "note": "First call made"}`)
	browsertest.Do(t, practice, "the practice sees it in progress", chromedp.Navigate(referral), chromedp.WaitVisible(`//strong[normalize-space()="In progress"]`))
	form("/discharge", "discharge", `{"reason": "goals_met", "summary": "Walter goes to the lunch club twice a week and has joined the men's shed."}`)

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
