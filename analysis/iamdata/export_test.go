package iamdata

// DecodeForBenchmark decodes a service anew, bypassing the cache. Its
// actions' methods read the service that Lookup decoded (an Action knows
// its service by its place in the index): time the decoding only.
func DecodeForBenchmark(prefix string) *Service {
	e := loadIndex().service(prefix)
	return decode(e, loadIndex().blobs[e.off:e.off+e.size])
}

// ParseIndexForBenchmark parses the bundle's index anew.
func ParseIndexForBenchmark() { parseIndex(bundle) }
