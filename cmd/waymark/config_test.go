package main

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/referral"
)

func TestReferralRuleSettingsDefaultToTheReferencePageAndRefuseNonsense(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Rules.AutoDeclineAfter != referral.DefaultRules.AutoDeclineAfter || len(c.Rules.RemindAfter) != 3 || c.StatsMinCount != 5 || c.RulesEvery != 10*time.Minute {
		t.Errorf("defaults: %+v %d %v", c.Rules, c.StatsMinCount, c.RulesEvery)
	}
	c, err = LoadConfig(env(map[string]string{"REFERRAL_REMIND_DAYS": "2, 5", "REFERRAL_AUTO_DECLINE_DAYS": "21",
		"REFERRAL_PAUSE_AFTER_DECLINES": "0", "REFERRAL_SUSPEND_AFTER_UNANSWERED": "4", "REFERRAL_ATTENDANCE_DAYS": "7",
		"REFERRAL_STATS_MIN_COUNT": "10", "REFERRAL_RULES_EVERY": "1m"}))
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	if len(c.Rules.RemindAfter) != 2 || c.Rules.RemindAfter[1] != 5*day || c.Rules.AutoDeclineAfter != 21*day || c.Rules.PauseAfterDeclines != 0 ||
		c.Rules.SuspendAfterSilence != 4 || c.Rules.AskAttendanceAfter != 7*day || c.StatsMinCount != 10 || c.RulesEvery != time.Minute {
		t.Errorf("settings not applied: %+v %d %v", c.Rules, c.StatsMinCount, c.RulesEvery)
	}
	if len(referral.DefaultRules.RemindAfter) != 3 {
		t.Errorf("loading settings changed the defaults")
	}
	for name, value := range map[string]string{"REFERRAL_REMIND_DAYS": "3,x", "REFERRAL_AUTO_DECLINE_DAYS": "0",
		"REFERRAL_PAUSE_AFTER_DECLINES": "-1", "REFERRAL_STATS_MIN_COUNT": "many", "REFERRAL_RULES_EVERY": "1ms"} {
		if _, err := LoadConfig(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
}

func TestFreshnessCheckSettings(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.CheckEvery != 7*24*time.Hour || c.ManualCheckMonths != 3 || c.CheckerAllowLoopback {
		t.Errorf("defaults: %v %d %v", c.CheckEvery, c.ManualCheckMonths, c.CheckerAllowLoopback)
	}
	for v, want := range map[string]time.Duration{"14": 14 * 24 * time.Hour, "2d": 48 * time.Hour, "36h": 36 * time.Hour} {
		c, err := LoadConfig(env(map[string]string{"CHECK_EVERY": v, "MANUAL_CHECK_MONTHS": "6", "CHECKER_ALLOW_LOOPBACK": "true"}))
		if err != nil || c.CheckEvery != want || c.ManualCheckMonths != 6 || !c.CheckerAllowLoopback {
			t.Errorf("CHECK_EVERY=%s: %v %d %v, %v", v, c.CheckEvery, c.ManualCheckMonths, c.CheckerAllowLoopback, err)
		}
	}
	for k, v := range map[string]string{"CHECK_EVERY": "0", "MANUAL_CHECK_MONTHS": "0", "CHECKER_ALLOW_LOOPBACK": "perhaps"} {
		if _, err := LoadConfig(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}

func TestCaseworkRetentionSetting(t *testing.T) {
	if c, err := LoadConfig(env(map[string]string{})); err != nil || c.CaseworkRetentionYears != 8 {
		t.Errorf("default retention: %d, %v", c.CaseworkRetentionYears, err)
	}
	if c, err := LoadConfig(env(map[string]string{"CASEWORK_RETENTION_YEARS": "10"})); err != nil || c.CaseworkRetentionYears != 10 {
		t.Errorf("CASEWORK_RETENTION_YEARS=10: %d, %v", c.CaseworkRetentionYears, err)
	}
	for _, v := range []string{"0", "eight", "-3"} {
		if _, err := LoadConfig(env(map[string]string{"CASEWORK_RETENTION_YEARS": v})); err == nil || !strings.Contains(err.Error(), "CASEWORK_RETENTION_YEARS") {
			t.Errorf("CASEWORK_RETENTION_YEARS=%s: %v", v, err)
		}
	}
}

func TestOperatorSettingsNameWhoRunsTheSite(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{"OPERATOR_NAME": "Derbyshire Wellbeing", "SUPPORT_EMAIL": "help@wellbeing.example",
		"SUPPORT_PHONE": "01629 580000", "OPERATOR_ADDRESS": "County Hall, Matlock , DE4 3AG"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Operator.Name != "Derbyshire Wellbeing" || c.Operator.Email != "help@wellbeing.example" || c.Operator.Phone != "01629 580000" ||
		c.Operator.Address != "County Hall\nMatlock\nDE4 3AG" {
		t.Errorf("operator: %+v", c.Operator)
	}
	if _, err := LoadConfig(env(map[string]string{"SUPPORT_EMAIL": "Help <help@wellbeing.example>"})); err == nil || !strings.Contains(err.Error(), "SUPPORT_EMAIL") {
		t.Errorf("a support address with a display name: %v", err)
	}
}

func TestNotifySettingsNeedAKeyAndATemplate(t *testing.T) {
	const key = "waymark-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
	c, err := LoadConfig(env(map[string]string{"NOTIFY_API_KEY": key, "NOTIFY_SMS_TEMPLATE_ID": "ceb50d92-100d-4b8b-b559-14fa3b091cda",
		"NOTIFY_CALLBACK_TOKEN": "a-long-callback-token"}))
	if err != nil || c.Notify.APIKey != key || c.Notify.SMSTemplate == "" || c.Notify.CallbackToken == "" {
		t.Errorf("Notify settings: %+v, %v", c.Notify, err)
	}
	for _, bad := range []map[string]string{
		{"NOTIFY_API_KEY": key},
		{"NOTIFY_SMS_TEMPLATE_ID": "ceb50d92-100d-4b8b-b559-14fa3b091cda"},
		{"NOTIFY_API_KEY": "not-a-key", "NOTIFY_SMS_TEMPLATE_ID": "x"},
		{"NOTIFY_API_KEY": key, "NOTIFY_SMS_TEMPLATE_ID": "x", "NOTIFY_CALLBACK_TOKEN": "short"},
	} {
		if _, err := LoadConfig(env(bad)); err == nil || !strings.Contains(err.Error(), "NOTIFY_") {
			t.Errorf("%v: %v, want an error naming the setting", bad, err)
		}
	}
	// In production Notify can send the email instead of SMTP.
	c, _ = LoadConfig(env(map[string]string{"WAYMARK_ENV": "production", "PUBLIC_URL": "https://waymark.example.org",
		"NOTIFY_API_KEY": key, "NOTIFY_EMAIL_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a"}))
	if err := c.checkServe(); err != nil {
		t.Errorf("production with Notify for email: %v", err)
	}
}

func TestSQLiteCacheAndMemoryMapSettings(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{"SQLITE_CACHE_MB": "256", "SQLITE_MMAP_MB": "-1"}))
	if err != nil || c.SQLiteCacheMB != 256 || c.SQLiteMmapMB != -1 {
		t.Errorf("SQLITE_CACHE_MB=256 SQLITE_MMAP_MB=-1: %d, %d, %v", c.SQLiteCacheMB, c.SQLiteMmapMB, err)
	}
	if c, err := LoadConfig(env(nil)); err != nil || c.SQLiteCacheMB != 0 || c.SQLiteMmapMB != 0 {
		t.Errorf("unset: %d, %d, %v; want 0 (sqlstore's defaults)", c.SQLiteCacheMB, c.SQLiteMmapMB, err)
	}
	for _, kv := range [][2]string{{"SQLITE_CACHE_MB", "0"}, {"SQLITE_CACHE_MB", "lots"}, {"SQLITE_MMAP_MB", "-2"}} {
		if _, err := LoadConfig(env(map[string]string{kv[0]: kv[1]})); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s=%s: error %v, want one naming the setting", kv[0], kv[1], err)
		}
	}
}
