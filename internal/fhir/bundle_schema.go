package fhir

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaGz is the HL7 FHIR R4 JSON Schema without its description texts,
// derived from ../shared/standards/fhir/r4/fhir.schema.json by
// tools/fhirschemagen (make fhirschema).
//
//go:embed fhir.schema.json.gz
var schemaGz []byte

const schemaURL = "fhir.schema.json"

// schemaSet is the compiled R4 schema: one validator per resource type.
type schemaSet struct {
	resources map[string]*jsonschema.Schema
}

var (
	schemaOnce sync.Once
	schemas    *schemaSet
	schemaErr  error
	printer    = message.NewPrinter(language.English)
)

// LoadSchema compiles the embedded FHIR R4 JSON Schema, once per process
// (about a second); later calls return at once. The server calls it at
// start so the first message does not wait.
func LoadSchema() error {
	schemaOnce.Do(func() { schemas, schemaErr = compileSchema() })
	return schemaErr
}

func compileSchema() (*schemaSet, error) {
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		return nil, fmt.Errorf("fhir schema: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("fhir schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("fhir schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("fhir schema: %w", err)
	}
	set := &schemaSet{resources: map[string]*jsonschema.Schema{}}
	for _, name := range resourceTypes(doc) {
		s, err := c.Compile(schemaURL + "#/definitions/" + name)
		if err != nil {
			return nil, fmt.Errorf("fhir schema %s: %w", name, err)
		}
		set.resources[name] = s
	}
	return set, nil
}

// resourceTypes lists the resource types the schema's discriminator maps.
func resourceTypes(doc any) []string {
	root, _ := doc.(map[string]any)
	disc, _ := root["discriminator"].(map[string]any)
	mapping, _ := disc["mapping"].(map[string]any)
	names := make([]string, 0, len(mapping))
	for name := range mapping {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ValidateResource checks a FHIR resource, decoded by
// jsonschema.UnmarshalJSON (numbers as json.Number), against the R4 JSON
// Schema of its resourceType. The resources it holds (a Bundle's entries,
// contained resources, a Parameters' resources, an entry's outcome) are each
// checked against their own resource type rather than through the schema's
// oneOf of all 146 types: the same rules, 30 times faster, and a message
// with thousands of contained resources costs milliseconds, not a minute.
// At most MaxResources resources are checked. The error lists what is
// wrong, each with where (a FHIRPath-like location such as
// Bundle.entry[2].resource.status).
func ValidateResource(doc any) error {
	if err := LoadSchema(); err != nil {
		return err
	}
	res, ok := doc.(map[string]any)
	if !ok {
		return &SchemaError{Problems: []string{"the body is not a JSON object"}}
	}
	where, _ := res["resourceType"].(string)
	if where == "" {
		where = "resource"
	}
	v := &validation{}
	v.resource(res, where)
	if len(v.all.Problems) > 0 {
		return &v.all
	}
	return nil
}

// MaxResources bounds the resources one document may hold (a referral
// message has a few dozen).
const MaxResources = 500

// validation checks a document's resources one by one.
type validation struct {
	all   SchemaError
	count int
}

// resourceKeys are the elements whose values are resources in R4:
// DomainResource.contained, Bundle.entry.resource,
// Bundle.entry.response.outcome and Parameters.parameter.resource.
var resourceKeys = map[string]bool{"contained": true, "resource": true, "outcome": true}

// resource checks res, at where, against its type's schema, with the
// resources it holds taken out (and checked by their own type) while it
// is, then put back.
func (v *validation) resource(res map[string]any, where string) {
	if v.count++; v.count > MaxResources {
		if v.count == MaxResources+1 {
			v.all.Problems = append(v.all.Problems, fmt.Sprintf("%s: more than %d resources in one document", where, MaxResources))
		}
		return
	}
	typ, _ := res["resourceType"].(string)
	s := schemas.resources[typ]
	if s == nil {
		v.all.Problems = append(v.all.Problems, fmt.Sprintf("%s: resourceType %q is not an R4 resource", where, typ))
		return
	}
	var taken []func()
	defer func() {
		for _, put := range taken {
			put()
		}
	}()
	var walk func(x any, path string)
	walk = func(x any, path string) {
		switch x := x.(type) {
		case map[string]any:
			for k, val := range x {
				if resourceKeys[k] && holdsResources(val) {
					v.held(val, path+"."+k)
					taken = append(taken, func() { x[k] = val })
					delete(x, k)
					continue
				}
				walk(val, path+"."+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(res, where)
	if err := s.Validate(res); err != nil {
		v.all.add(err, where)
	}
}

// held checks the resources an element holds: one, or an array of them.
func (v *validation) held(val any, path string) {
	if list, ok := val.([]any); ok {
		for i, e := range list {
			v.resource(e.(map[string]any), fmt.Sprintf("%s[%d]", path, i))
		}
		return
	}
	v.resource(val.(map[string]any), path)
}

// holdsResources reports whether val is a resource (an object with a
// resourceType) or a non-empty array of nothing else.
func holdsResources(val any) bool {
	isResource := func(x any) bool {
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		_, ok = m["resourceType"].(string)
		return ok
	}
	if list, ok := val.([]any); ok {
		for _, e := range list {
			if !isResource(e) {
				return false
			}
		}
		return len(list) > 0
	}
	return isResource(val)
}

// maxSchemaProblems bounds how many problems an error lists.
const maxSchemaProblems = 10

// SchemaError is a resource that does not meet the R4 JSON Schema.
type SchemaError struct {
	// Problems say what is wrong and where, at most ten.
	Problems []string
}

func (e *SchemaError) Error() string {
	return "not valid FHIR R4: " + strings.Join(e.Problems, "; ")
}

// Locations are where each problem is (the part before ": ").
func (e *SchemaError) Locations() []string {
	out := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		loc, _, _ := strings.Cut(p, ": ")
		out = append(out, loc)
	}
	return out
}

// add records the leaf errors of a validation error (the ones that say
// what is wrong rather than "oneOf failed"), up to maxSchemaProblems.
func (e *SchemaError) add(err error, where string) {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		e.Problems = append(e.Problems, where+": "+err.Error())
		return
	}
	var walk func(v *jsonschema.ValidationError)
	walk = func(v *jsonschema.ValidationError) {
		if len(e.Problems) >= maxSchemaProblems {
			return
		}
		if len(v.Causes) == 0 {
			e.Problems = append(e.Problems, location(where, v.InstanceLocation)+": "+v.ErrorKind.LocalizedString(printer))
			return
		}
		for _, c := range v.Causes {
			walk(c)
		}
	}
	walk(ve)
}

// location writes an instance location as FHIRPath: entry/0/resource becomes
// .entry[0].resource.
func location(where string, parts []string) string {
	var sb strings.Builder
	sb.WriteString(where)
	for _, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			sb.WriteString("[" + p + "]")
			continue
		}
		sb.WriteString("." + p)
	}
	return sb.String()
}

// decodeDoc decodes one JSON value as ValidateResource takes it (numbers as
// json.Number), refusing anything after it.
func decodeDoc(b []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}
