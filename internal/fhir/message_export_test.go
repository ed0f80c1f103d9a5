package fhir

// DecodeDoc exports decodeDoc to the tests.
func DecodeDoc(b []byte) (any, error) { return decodeDoc(b) }

// Stripped is the message without what it keeps to answer with.
func (m *Message) Stripped() Message {
	c := *m
	c.doc, c.focus = nil, 0
	return c
}

// ParseServiceSearch exports parseServiceSearch to the fuzz test.
var ParseServiceSearch = parseServiceSearch
