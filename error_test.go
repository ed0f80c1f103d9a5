package waymark_test

import (
	"fmt"
	"reflect"
	"testing"

	"waymark"
)

// TestProblemsAreEINVALIDAndKeepTheOrderFound: per-field problems report
// themselves as EINVALID (never EINTERNAL), even wrapped, keep one message
// per field in the order found, and ProblemsOf reads a single field error
// as one problem.
func TestProblemsAreEINVALIDAndKeepTheOrderFound(t *testing.T) {
	t.Parallel()
	var p waymark.Problems
	if p.Err() != nil {
		t.Fatalf("no problems: Err() = %v, want nil", p.Err())
	}
	p.Add("postcode", "Enter a real postcode")
	p.Add("email", "Enter an email address")
	p.Add("postcode", "a second message for the same field is dropped")
	if !p.Check("phone", waymark.Errorf(waymark.EINVALID, "Enter a UK phone number")) {
		t.Error("Check ignored an EINVALID error")
	}
	if p.Check("name", fmt.Errorf("database down")) {
		t.Error("Check took an internal error as a problem with the input")
	}
	err := fmt.Errorf("save: %w", p.Err())
	if got := waymark.ErrorCode(err); got != waymark.EINVALID {
		t.Errorf("ErrorCode = %q, want EINVALID", got)
	}
	got, ok := waymark.ProblemsOf(err)
	if !ok {
		t.Fatal("ProblemsOf found none")
	}
	want := []waymark.Problem{{Field: "postcode", Message: "Enter a real postcode"}, {Field: "email", Message: "Enter an email address"},
		{Field: "phone", Message: "Enter a UK phone number"}}
	if !reflect.DeepEqual(got.List(), want) {
		t.Errorf("problems %+v, want %+v", got.List(), want)
	}
	one, ok := waymark.ProblemsOf(waymark.FieldErrorf(waymark.EINVALID, "note", "Enter a note"))
	if !ok || one.Get("note") != "Enter a note" || one.Len() != 1 {
		t.Errorf("a field error read as %+v, %v", one.List(), ok)
	}
	if _, ok := waymark.ProblemsOf(waymark.Errorf(waymark.ECONFLICT, "taken")); ok {
		t.Error("a conflict was read as a problem with a field")
	}
}
