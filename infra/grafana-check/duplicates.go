package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// duplicateKeys lists every object key that occurs twice in one object, by its JSON path.
// encoding/json keeps the last of two equal keys without a word, and so does Grafana: the
// first value would be lost silently.
func duplicateKeys(raw []byte) ([]string, error) {
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var found []string
	if err := walkValue(decoder, "", &found); err != nil {
		return nil, err
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the top-level value")
	}
	return found, nil
}

func walkValue(decoder *json.Decoder, path string, found *[]string) error {
	token, err := decoder.Token()
	if err != nil {
		return err
	}
	switch token {
	case json.Delim('{'):
		return walkObject(decoder, path, found)
	case json.Delim('['):
		for i := 0; decoder.More(); i++ {
			if err := walkValue(decoder, path+"["+strconv.Itoa(i)+"]", found); err != nil {
				return err
			}
		}
		_, err = decoder.Token()
		return err
	}
	return nil
}

func walkObject(decoder *json.Decoder, path string, found *[]string) error {
	seen := map[string]bool{}
	for decoder.More() {
		token, err := decoder.Token()
		if err != nil {
			return err
		}
		key, _ := token.(string)
		child := key
		if path != "" {
			child = path + "." + key
		}
		if seen[key] {
			*found = append(*found, child)
		}
		seen[key] = true
		if err := walkValue(decoder, child, found); err != nil {
			return err
		}
	}
	_, err := decoder.Token()
	return err
}
