package media_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/media"
)

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func TestCleanReencodesJPEGAndPNG(t *testing.T) {
	out, ct, err := media.Clean(bytes.NewReader(pngOf(40, 30)))
	if err != nil || ct != "image/png" {
		t.Fatalf("png: %v %s", err, ct)
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(out)); err != nil || cfg.Width != 40 {
		t.Errorf("re-encoded png: %v %+v", err, cfg)
	}
	var j bytes.Buffer
	jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 10, 10)), nil)
	// Trailing data after the image (a smuggled payload) does not survive.
	withPayload := append(j.Bytes(), []byte("<script>alert(1)</script>")...)
	out, ct, err = media.Clean(bytes.NewReader(withPayload))
	if err != nil || ct != "image/jpeg" || bytes.Contains(out, []byte("<script>")) {
		t.Errorf("jpeg: %v %s, payload kept: %v", err, ct, bytes.Contains(out, []byte("<script>")))
	}
}

func TestCleanRefusesOtherFilesAndHugeImages(t *testing.T) {
	gifHeader := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	huge := pngOf(1, 1)
	// Claim 9000×9000 in the PNG header (IHDR width and height).
	copy(huge[16:24], []byte{0, 0, 0x23, 0x28, 0, 0, 0x23, 0x28})
	for name, in := range map[string][]byte{
		"empty":         {},
		"html":          []byte("<html><script>alert(1)</script></html>"),
		"svg":           []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"gif":           gifHeader,
		"truncated png": pngOf(50, 50)[:60],
		"too many px":   huge,
		"too big":       append(pngOf(1, 1), bytes.Repeat([]byte{0}, media.MaxBytes)...),
	} {
		_, _, err := media.Clean(bytes.NewReader(in))
		var e *waymark.Error
		if waymark.ErrorCode(err) != waymark.EINVALID || !errorsAs(err, &e) || e.Field != "image" || !strings.Contains(e.Message, "image") && !strings.Contains(e.Message, "JPG") {
			t.Errorf("%s: %v, want EINVALID on image", name, err)
		}
	}
}

func errorsAs(err error, target **waymark.Error) bool {
	e, ok := err.(*waymark.Error)
	if ok {
		*target = e
	}
	return ok
}

func FuzzClean(f *testing.F) {
	f.Add(pngOf(3, 3))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ct, err := media.Clean(bytes.NewReader(in))
		if err != nil {
			if waymark.ErrorCode(err) != waymark.EINVALID {
				t.Fatalf("error code %s", waymark.ErrorCode(err))
			}
			return
		}
		if ct != "image/jpeg" && ct != "image/png" || len(out) == 0 {
			t.Fatalf("accepted as %q (%d bytes)", ct, len(out))
		}
	})
}
