package directory

// OfflineHelp is a local infrastructure organisation that people without
// internet access can phone or visit to find activities and services.
type OfflineHelp struct {
	ID      string
	Name    string
	Website string
	Phones  []Phone // Description says which area a number is for, when several
	Address string  // multi-line; empty when there is no public drop-in
	Area    string  // the part of the county it covers
}
