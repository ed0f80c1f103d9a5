package waymark

import "context"

type formTokenKey struct{}

// WithFormToken returns ctx carrying the token of the form being sent, so
// that whatever the form creates is stored with it, in the same
// transaction, and a second sending of the same form is recognised.
func WithFormToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, formTokenKey{}, token)
}

// FormTokenFrom returns the token of the form being sent, "" for none.
func FormTokenFrom(ctx context.Context) string {
	t, _ := ctx.Value(formTokenKey{}).(string)
	return t
}
