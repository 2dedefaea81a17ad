package iamdata

// DecodeForBenchmark decodes a service anew, bypassing the cache.
func DecodeForBenchmark(prefix string) *Service {
	e := loadIndex().byPrefix[prefix]
	return decode(e, loadIndex().blobs[e.off:e.off+e.size])
}

// ParseIndexForBenchmark parses the bundle's index anew.
func ParseIndexForBenchmark() { parseIndex(bundle) }
