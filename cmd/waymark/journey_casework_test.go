package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark/internal/browsertest"
)

// signIn signs a demo account in, in its own browser.
func signIn(t *testing.T, base, email, next string) context.Context {
	t.Helper()
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/sign-in?next="+next),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, email),
		chromedp.SendKeys(`input[name="password"]`, DemoPassword),
		chromedp.Submit(`input[name="email"]`),
		chromedp.WaitVisible(`h1`),
	)
	return ctx
}

// fillJS sets form fields by name from the page's script: selects and
// text by value, radios by value, checkboxes checked.
const fillJS = `(function (values) {
  for (const [name, value] of Object.entries(values)) {
    const els = document.querySelectorAll('[name="' + name + '"]');
    els.forEach(el => {
      if (el.type === 'radio') { el.checked = el.value === value; }
      else if (el.type === 'checkbox') { el.checked = true; }
      else { el.value = value; }
    });
  }
  return true;
})`

func fill(t *testing.T, ctx context.Context, what string, values string) {
	t.Helper()
	browsertest.Get(t, ctx, what, chromedp.Evaluate[bool](fillJS+`(`+values+`)`))
}

// allocateAndAccept is the team's part of taking a referral from the
// waiting list on the demo data: the team lead allocates the person's
// referral to Lee Link Worker (the waiting list checked with axe), and Lee
// accepts it. It returns Lee's browser on the new record and the record's
// address.
func allocateAndAccept(t *testing.T, base, name string) (worker context.Context, record string) {
	t.Helper()
	first, _, _ := strings.Cut(name, " ")
	lead := signIn(t, base, "teamlead@demo.waymark.example", "/casework/waiting")
	browsertest.Do(t, lead, "see "+first+" waiting", chromedp.WaitVisible(`//td[contains(., "`+name+`")]`))
	browsertest.CheckAxe(t, lead, "waiting list")
	browsertest.Get(t, lead, "choose Lee for "+first, chromedp.Evaluate[bool](`(function () {
	  const row = [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('`+name+`'));
	  const sel = row.querySelector('select[name="worker"]');
	  sel.value = [...sel.options].find(o => o.textContent === 'Lee Link Worker').value;
	  sel.form.submit();
	  return true;
	})()`))
	browsertest.Do(t, lead, "allocated", chromedp.WaitVisible(`//p[normalize-space()="Saved."]`))

	worker = signIn(t, base, "linkworker@demo.waymark.example", "/casework/waiting")
	browsertest.Do(t, worker, "see "+first+" waiting", chromedp.WaitVisible(`//td[contains(., "`+name+`")]`))
	browsertest.Get(t, worker, "accept "+first, chromedp.Evaluate[bool](`(function () {
	  const row = [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('`+name+`'));
	  row.querySelector('form[action$="/accept"]').submit();
	  return true;
	})()`))
	browsertest.Do(t, worker, "on "+first+"'s record", chromedp.WaitVisible(`//h1[normalize-space()="`+name+`"]`))
	record = browsertest.Get(t, worker, "note the record", chromedp.Location())
	return worker, strings.TrimSuffix(record, "?saved=1")
}

// saveRecordForm opens one of a client record's forms (path under the
// record), fills it in and saves it.
func saveRecordForm(t *testing.T, worker context.Context, record, path, what, values string) {
	t.Helper()
	browsertest.Do(t, worker, "open "+what, chromedp.Navigate(record+path), chromedp.WaitVisible(`main form[method="post"] button[type="submit"]`))
	fill(t, worker, what, values)
	browsertest.Do(t, worker, "save "+what,
		chromedp.Submit(`main form[method="post"] button[type="submit"]`),
		chromedp.WaitVisible(`//p[normalize-space()="Saved."]`),
	)
}

// TestJourneyCaseworkFromWaitingListToDischargeLetter is the link worker's
// journey in a real browser on the demo data: someone refers themselves to
// social prescribing; the team lead allocates the referral from the waiting
// list; the link worker accepts it, records ONS4 and SWEMWBS at first
// contact and a goal, refers the client to a marketplace service from the
// record (after recording consent to share); the provider accepts; the link
// worker records follow-up measures and discharges; the discharge letter
// shows the change.
func TestJourneyCaseworkFromWaitingListToDischargeLetter(t *testing.T) {
	r := startServer(t)

	person := browsertest.New(t)
	browsertest.Do(t, person, "open the self-referral form",
		chromedp.Navigate(r.URL+"/refer-to-social-prescribing"),
		chromedp.WaitVisible(`input[name="given_name"]`),
	)
	browsertest.CheckAxe(t, person, "refer yourself to social prescribing")
	fill(t, person, "fill in the form", `{"given_name": "Nora", "family_name": "Jessop", "dob_day": "4", "dob_month": "6", "dob_year": "1950",
		"gp_practice": "C81001", "postcode": "DE4 3AG", "phone": "01629 580999", "email": "nora@example.org", "preferred_contact": "email",
		"reason": "I have been on my own since my sister moved away.", "consent": "yes"}`)
	browsertest.Do(t, person, "send it",
		chromedp.Submit(`input[name="given_name"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Referral sent"]`),
	)

	worker, record := allocateAndAccept(t, r.URL, "Nora Jessop")
	form := func(path, what, values string) {
		t.Helper()
		saveRecordForm(t, worker, record, path, what, values)
	}
	form("/status", "first contact", `{"status": "active", "note": "First call made"}`)
	form("/measures/ons4", "first ONS4", `{"stage": "first", "q1": "3", "q2": "4", "q3": "4", "q4": "8"}`)
	form("/measures/swemwbs", "first SWEMWBS", `{"stage": "first", "q1": "2", "q2": "2", "q3": "2", "q4": "3", "q5": "2", "q6": "2", "q7": "2"}`)
	form("/goals", "a goal", `{"words": "Join a walking group and make a friend", "score": "2"}`)
	form("/consent", "consent to share", `{"kind": "share", "provider": "Nordic walking for beginners"}`)

	browsertest.Do(t, worker, "find a service from the record",
		chromedp.Navigate(record+"/refer?q=nordic+walking"),
		chromedp.Click(`//a[contains(., "Refer to Nordic walking for beginners")]`),
		chromedp.WaitVisible(`input[name="name"]`),
	)
	if name := browsertest.Get(t, worker, "read the prefilled name", chromedp.Evaluate[string](`document.querySelector('input[name="name"]').value`)); name != "Nora Jessop" {
		t.Errorf("prefilled name %q", name)
	}
	browsertest.CheckAxe(t, worker, "referral form from the record")
	browsertest.Get(t, worker, "answer the provider's questions", chromedp.Evaluate[bool](`(function () {
	  const groups = new Set([...document.querySelectorAll('input[type="radio"]')].map(i => i.name));
	  groups.forEach(n => { document.querySelector('input[type="radio"][name="' + n + '"]').checked = true; });
	  const reason = document.querySelector('textarea[name="reason"]');
	  if (reason) reason.value = 'Lonely; would like to walk with others';
	  return true;
	})()`))
	browsertest.Do(t, worker, "send the referral",
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Nora Jessop"]`),
		chromedp.WaitVisible(`//h3[contains(., "Referred to Nordic walking for beginners")]`),
	)
	referral := browsertest.Get(t, worker, "note the referral", chromedp.Evaluate[string](`document.querySelector('a[href^="/referrals/"]').getAttribute('href')`))

	provider := signIn(t, r.URL, "provider@demo.waymark.example", referral)
	browsertest.Do(t, provider, "accept the referral",
		chromedp.Click(`//button[normalize-space()="Accept referral"]`),
		chromedp.WaitVisible(`//strong[normalize-space()="Accepted"]`),
	)

	browsertest.Do(t, worker, "see the provider accepted, on the timeline too",
		chromedp.Navigate(record),
		chromedp.WaitVisible(`//td[contains(., "Accepted")]`),
		chromedp.WaitVisible(`//h3[normalize-space()="Referral to Nordic walking for beginners: Accepted"]`),
	)
	form("/measures/ons4", "review ONS4", `{"stage": "review", "q1": "7", "q2": "7", "q3": "8", "q4": "3"}`)
	form("/measures/swemwbs", "review SWEMWBS", `{"stage": "review", "q1": "4", "q2": "4", "q3": "3", "q4": "4", "q5": "4", "q6": "4", "q7": "3"}`)
	browsertest.Do(t, worker, "the chart is drawn", chromedp.Navigate(record), chromedp.WaitVisible(`.waymark-chart canvas`))
	browsertest.CheckAxe(t, worker, "client record after follow-up")
	browsertest.Screenshot(t, worker, "journey-casework-record")
	form("/discharge", "discharge", `{"reason": "goals_met", "summary": "Nora walks with the group every week and has made a friend."}`)

	browsertest.Do(t, worker, "open the discharge letter", chromedp.Navigate(record+"/letter"), chromedp.WaitVisible(`h1`))
	letter := browsertest.Get(t, worker, "read the letter", chromedp.Text(`main`))
	for _, want := range []string{"Nora", "I have been on my own since my sister moved away.", "Join a walking group and make a friend",
		"Nordic walking for beginners", "Accepted", "Goals met", "15.84", "23.21"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the discharge letter lacks %q", want)
		}
	}
	browsertest.CheckAxe(t, worker, "discharge letter")
	browsertest.Screenshot(t, worker, "journey-casework-letter")
}
