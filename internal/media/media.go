// Package media checks and cleans images people upload: only JPEG and PNG,
// within size and pixel limits, decoded and encoded again so nothing but
// pixels survives (no metadata, no smuggled content).
package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"time"

	"waymark"
)

// Limits on uploaded images.
const (
	MaxBytes  = 800 << 10 // the upload itself
	MaxPixels = 25_000_000
	MaxSide   = 8000
)

func invalid(format string, args ...any) error {
	return waymark.FieldErrorf(waymark.EINVALID, "image", format, args...)
}

// Clean reads an uploaded image and returns it re-encoded, with its content
// type (image/jpeg or image/png). Errors: EINVALID with Field "image".
func Clean(r io.Reader) ([]byte, string, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, "", invalid("The image could not be read: try again")
	}
	if len(raw) > MaxBytes {
		return nil, "", invalid("The image must be smaller than 800 KB")
	}
	if len(raw) == 0 {
		return nil, "", invalid("The image is empty")
	}
	ct := http.DetectContentType(raw)
	if ct != "image/jpeg" && ct != "image/png" {
		return nil, "", invalid("The image must be a JPG or PNG")
	}
	// Check the size it claims before decoding, against decompression bombs.
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, "", invalid("The image must be a JPG or PNG")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return nil, "", invalid("The image must be at most %d pixels wide and high", MaxSide)
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, "", invalid("The image is damaged: try another file")
	}
	var out bytes.Buffer
	if ct == "image/png" {
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 85})
	}
	if err != nil {
		return nil, "", invalid("The image could not be processed: try another file")
	}
	return out.Bytes(), ct, nil
}

// Store keeps cleaned images.
type Store interface {
	SaveImage(ctx context.Context, id, contentType string, data []byte, at time.Time) error
	FindImage(ctx context.Context, id string) (contentType string, data []byte, err error)
}

// Images takes uploaded images and serves them back: it holds the store, so
// callers hold only the service.
type Images struct {
	store Store
	now   func() time.Time
	newID func() string
}

// NewImages returns Images keeping pictures in store.
func NewImages(store Store, now func() time.Time, newID func() string) *Images {
	return &Images{store: store, now: now, newID: newID}
}

// Upload cleans an image a signed-in user sent (see Clean) and stores it
// with its description for people who cannot see it. It returns the new
// image's id and content type. Errors: EUNAUTHORIZED, EINVALID with Field
// "image" or "image_alt".
func (m *Images) Upload(ctx context.Context, r io.Reader, alt string) (id, contentType string, err error) {
	if waymark.ActorFrom(ctx).Anonymous() {
		return "", "", waymark.Errorf(waymark.EUNAUTHORIZED, "Sign in to upload an image")
	}
	data, ct, err := Clean(r)
	if err != nil {
		return "", "", err
	}
	if alt == "" || len(alt) > 300 {
		return "", "", waymark.FieldErrorf(waymark.EINVALID, "image_alt", "Describe the image for people who cannot see it, in 300 characters or fewer")
	}
	id = m.newID()
	if err := m.store.SaveImage(ctx, id, ct, data, m.now().UTC()); err != nil {
		return "", "", fmt.Errorf("save image: %w", err)
	}
	return id, ct, nil
}

// Find returns a stored image's content type and bytes. Errors: ENOTFOUND.
func (m *Images) Find(ctx context.Context, id string) (contentType string, data []byte, err error) {
	return m.store.FindImage(ctx, id)
}
