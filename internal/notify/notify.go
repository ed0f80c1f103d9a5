// Package notify sends email and text messages through GOV.UK Notify's REST
// API (https://docs.notifications.service.gov.uk/rest-api.html). Each
// request carries a JSON Web Token signed (HS256) with the API key's
// secret, whose iss is the service id and iat the time it was made. The
// outbox in package email delivers through EmailTransport and SMSTransport
// with one pass-through template each; Notify's delivery receipts come back
// to the web package's callback and go to email.Outbox.Receipt.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"waymark/internal/email"
)

// BaseURL is GOV.UK Notify's API address.
const BaseURL = "https://api.notifications.service.gov.uk"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Client calls GOV.UK Notify with one API key.
type Client struct {
	base      string
	serviceID string
	secret    []byte
	http      *http.Client
	now       func() time.Time
}

// ParseKey splits a Notify API key, "{key name}-{service id}-{secret key}"
// where the service id and the secret are UUIDs (the name may itself hold
// hyphens), into the service id and the secret.
func ParseKey(key string) (serviceID, secret string, err error) {
	key = strings.TrimSpace(key)
	if len(key) < 75 || key[len(key)-37] != '-' || key[len(key)-74] != '-' {
		return "", "", errors.New("NOTIFY_API_KEY must be the whole key Notify shows: its name, the service id and the secret")
	}
	secret, serviceID = key[len(key)-36:], key[len(key)-73:len(key)-37]
	if !uuidPattern.MatchString(secret) || !uuidPattern.MatchString(serviceID) {
		return "", "", errors.New("NOTIFY_API_KEY must end in the service id and the secret key, two UUIDs")
	}
	return serviceID, secret, nil
}

// NewClient returns a client for apiKey at baseURL (BaseURL, or a test server).
// now is the clock the tokens are dated by: Notify refuses a token more
// than 30 seconds from its own clock.
func NewClient(apiKey, baseURL string, now func() time.Time) (*Client, error) {
	serviceID, secret, err := ParseKey(apiKey)
	if err != nil {
		return nil, err
	}
	if baseURL == "" {
		baseURL = BaseURL
	}
	return &Client{base: strings.TrimSuffix(baseURL, "/"), serviceID: serviceID, secret: []byte(secret),
		http: &http.Client{Timeout: 30 * time.Second}, now: now}, nil
}

// token is a new JWT for one request.
func (c *Client) token() (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": c.serviceID, "iat": c.now().Unix()})
	return t.SignedString(c.secret)
}

// APIError is an answer from Notify other than success.
type APIError struct {
	StatusCode int
	Errors     []struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (e *APIError) Error() string {
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, x.Error+": "+x.Message)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("GOV.UK Notify answered %d", e.StatusCode)
	}
	return fmt.Sprintf("GOV.UK Notify answered %d: %s", e.StatusCode, strings.Join(parts, "; "))
}

// Sent is Notify's answer to a message it accepted.
type Sent struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
}

// post sends body to path and reads the answer. A refused request (400,
// 403) comes back as an *email.PermanentError, a rate limit (429) as an
// *email.ThrottledError, both wrapping the *APIError; a server error (5xx)
// or a network failure as a plain error, to be tried again later.
func (c *Client) post(ctx context.Context, path string, body any) (*Sent, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	tok, err := c.token()
	if err != nil {
		return nil, fmt.Errorf("sign token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "waymark")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GOV.UK Notify: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read GOV.UK Notify's answer: %w", err)
	}
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		var s Sent
		if err := json.Unmarshal(b, &s); err != nil || s.ID == "" {
			return nil, fmt.Errorf("GOV.UK Notify's answer has no id (%d bytes)", len(b))
		}
		return &s, nil
	}
	apiErr := &APIError{StatusCode: resp.StatusCode}
	_ = json.Unmarshal(b, apiErr) // the status alone says enough when the body is not Notify's
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &email.ThrottledError{Err: apiErr}
	case resp.StatusCode >= 500:
		return nil, apiErr
	default: // 400 bad request, 403 refused key: sending again changes nothing
		return nil, &email.PermanentError{Err: apiErr}
	}
}

// SendEmail asks Notify to send the template to address. reference is
// ours, echoed in receipts.
func (c *Client) SendEmail(ctx context.Context, templateID, address string, personalisation map[string]string, reference string) (*Sent, error) {
	return c.post(ctx, "/v2/notifications/email", map[string]any{
		"email_address": address, "template_id": templateID, "personalisation": personalisation, "reference": reference})
}

// SendSMS asks Notify to send the template to phone (E.164).
func (c *Client) SendSMS(ctx context.Context, templateID, phone string, personalisation map[string]string, reference string) (*Sent, error) {
	return c.post(ctx, "/v2/notifications/sms", map[string]any{
		"phone_number": phone, "template_id": templateID, "personalisation": personalisation, "reference": reference})
}

// EmailTransport sends the email form of messages with a pass-through
// template whose subject is ((subject)) and whose body is ((body)).
type EmailTransport struct {
	Client   *Client
	Template string
}

// Deliver sends m's email form.
func (t EmailTransport) Deliver(ctx context.Context, m email.Message) error {
	_, err := t.DeliverTracked(ctx, m)
	return err
}

// DeliverTracked sends m's email form and returns Notify's id for it.
func (t EmailTransport) DeliverTracked(ctx context.Context, m email.Message) (string, error) {
	s, err := t.Client.SendEmail(ctx, t.Template, m.To, map[string]string{"subject": m.Subject, "body": m.Text}, m.ID)
	if err != nil {
		return "", err
	}
	return s.ID, nil
}

// SMSTransport sends the text form of messages with a pass-through
// template whose body is ((body)).
type SMSTransport struct {
	Client   *Client
	Template string
}

// Deliver sends m's text form.
func (t SMSTransport) Deliver(ctx context.Context, m email.Message) error {
	_, err := t.DeliverTracked(ctx, m)
	return err
}

// DeliverTracked sends m's text form and returns Notify's id for it.
func (t SMSTransport) DeliverTracked(ctx context.Context, m email.Message) (string, error) {
	s, err := t.Client.SendSMS(ctx, t.Template, m.Phone, map[string]string{"body": m.SMS}, m.ID)
	if err != nil {
		return "", err
	}
	return s.ID, nil
}

// Receipt is the body of Notify's delivery receipt callback.
type Receipt struct {
	ID               string     `json:"id"`
	Reference        string     `json:"reference"`
	To               string     `json:"to"`
	Status           string     `json:"status"`
	CreatedAt        time.Time  `json:"created_at"`
	CompletedAt      *time.Time `json:"completed_at"`
	SentAt           *time.Time `json:"sent_at"`
	NotificationType string     `json:"notification_type"`
}

// Inbound is the body of Notify's received text message callback.
type Inbound struct {
	ID                string    `json:"id"`
	SourceNumber      string    `json:"source_number"`
	DestinationNumber string    `json:"destination_number"`
	Content           string    `json:"content"`
	DateReceived      time.Time `json:"date_received"`
}

// Keyword is what a received text asks for: "stop" (no more texts),
// "start" (texts again) or "" (anything else, which nobody reads: texts
// say to reply through the private link).
func (in Inbound) Keyword() string {
	w := strings.ToUpper(strings.Trim(strings.TrimSpace(in.Content), ".!"))
	switch w {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPT OUT", "OPTOUT":
		return "stop"
	case "START", "UNSTOP", "OPT IN", "OPTIN":
		return "start"
	}
	return ""
}

// Phone is the sender's number as a UK number can be read: Notify gives
// it without the plus, like 447700900982.
func (in Inbound) Phone() string {
	n := strings.TrimSpace(in.SourceNumber)
	if strings.HasPrefix(n, "44") {
		return "+" + n
	}
	return n
}
