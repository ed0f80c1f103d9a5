package web

import (
	"errors"
	"net/http"
	"strings"

	"waymark"
	"waymark/internal/directory"
)

// formImage reads an optional uploaded image and its description from a
// multipart form, cleans and stores it. It returns nil when none was sent.
func (s *Server) formImage(r *http.Request) (*directory.Image, error) {
	if s.deps.Images == nil || r.MultipartForm == nil {
		return nil, nil
	}
	file, _, err := r.FormFile("image")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, waymark.FieldErrorf(waymark.EINVALID, "image", "The image could not be read: try again")
	}
	defer file.Close()
	alt := strings.TrimSpace(r.PostForm.Get("image_alt"))
	id, ct, err := s.deps.Images.Upload(r.Context(), file, alt)
	if err != nil {
		return nil, err
	}
	return &directory.Image{URL: "/media/" + id, Alt: alt, ContentType: ct}, nil
}

// parseListingForm reads the listing form, which may carry an image.
// Errors: EINVALID, with the message the form shows, when it cannot be read.
func parseListingForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return waymark.Errorf(waymark.EINVALID, "The form could not be read (an image must be smaller than 800 KB): try again")
	}
	return nil
}

// handleMedia serves an uploaded image: only its bytes, with its cleaned
// type, never sniffed, never run as a document.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	ct, data, err := s.deps.Images.Find(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Disposition", "inline")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(data)
}
