package emulator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// copyFixture deep-copies a fixture so the server never mutates the
// caller's value. The copy is what a JSON round trip would give (it used
// to be one): times as RFC 3339 text parses back, empty omitempty slices
// and maps become nil, invalid UTF-8 becomes U+FFFD and free-form
// payloads come back as JSON decodes them (numbers as float64). But valid
// strings, the bulk of a fixture with its job logs, are shared instead of
// encoded and parsed again, which made every server start and Reset on
// the example ecosystem an order of magnitude slower.
func copyFixture(f *Fixture) (*Fixture, error) {
	if f == nil {
		return &Fixture{}, nil
	}
	var cp Fixture
	if err := copyValue(reflect.ValueOf(&cp).Elem(), reflect.ValueOf(f).Elem()); err != nil {
		return nil, fmt.Errorf("failed to copy fixture: %w", err)
	}
	return &cp, nil
}

// copyValue sets dst, a settable zero value of src's type, to a copy of
// src with JSON round-trip semantics (see copyFixture).
func copyValue(dst, src reflect.Value) error {
	switch src.Kind() {
	case reflect.Struct:
		if src.Type() == timeType {
			b, err := src.Interface().(time.Time).MarshalJSON()
			if err != nil {
				return err
			}
			var t time.Time
			if err := t.UnmarshalJSON(b); err != nil {
				return err
			}
			dst.Set(reflect.ValueOf(t))
			return nil
		}
		for i := 0; i < src.NumField(); i++ {
			field := src.Type().Field(i)
			tag := field.Tag.Get("json")
			if !field.IsExported() || tag == "-" {
				continue
			}
			if err := copyValue(dst.Field(i), src.Field(i)); err != nil {
				return err
			}
			if k := dst.Field(i).Kind(); (k == reflect.Slice || k == reflect.Map) && dst.Field(i).Len() == 0 && strings.Contains(tag, ",omitempty") {
				dst.Field(i).SetZero()
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return nil
		}
		out := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			if err := copyValue(out.Index(i), src.Index(i)); err != nil {
				return err
			}
		}
		dst.Set(out)
	case reflect.Map:
		if src.IsNil() {
			return nil
		}
		if src.Type().Elem().Kind() == reflect.Interface {
			return roundTrip(dst, src)
		}
		out := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			if err := copyValue(v, it.Value()); err != nil {
				return err
			}
			k := it.Key()
			if !utf8.ValidString(k.String()) {
				kk := reflect.New(k.Type()).Elem()
				if err := roundTrip(kk, k); err != nil {
					return err
				}
				k = kk
			}
			out.SetMapIndex(k, v)
		}
		dst.Set(out)
	case reflect.Pointer:
		if src.IsNil() {
			return nil
		}
		p := reflect.New(src.Type().Elem())
		if err := copyValue(p.Elem(), src.Elem()); err != nil {
			return err
		}
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return nil
		}
		return roundTrip(dst, src)
	case reflect.String:
		if !utf8.ValidString(src.String()) {
			return roundTrip(dst, src)
		}
		dst.Set(src)
	default:
		dst.Set(src)
	}
	return nil
}

// roundTrip sets dst to src encoded and decoded as JSON.
func roundTrip(dst, src reflect.Value) error {
	b, err := json.Marshal(src.Interface())
	if err != nil {
		return err
	}
	p := reflect.New(dst.Type())
	if err := json.Unmarshal(b, p.Interface()); err != nil {
		return err
	}
	dst.Set(p.Elem())
	return nil
}
