// Command links makes the /action-<name> symlinks to the multi-call binary
// in the image's build stage, where there is no ln (the local builder has
// only go and /bin/sh):
//
//	go run ./.ci/multicall/links -dir /out -target ecosystem-actions monitor fixer stale alert
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if err := realMain(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "links: %v\n", err)
		os.Exit(1)
	}
}

func realMain(args []string) error {
	fs := flag.NewFlagSet("links", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory holding the binary and the links")
	target := fs.String("target", "ecosystem-actions", "file name the links point to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() == 0 {
		return errors.New("want -dir and at least one action name (monitor fixer stale alert)")
	}
	if _, err := os.Stat(filepath.Join(*dir, *target)); err != nil {
		return fmt.Errorf("the link target is missing: %w", err)
	}
	for _, id := range fs.Args() {
		link := filepath.Join(*dir, "action-"+id)
		_ = os.Remove(link)
		if err := os.Symlink(*target, link); err != nil {
			return fmt.Errorf("failed to link %s: %w", link, err)
		}
	}
	return nil
}
