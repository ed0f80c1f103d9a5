package seed

import "waymark/internal/directory"

// OfflineHelp returns the Derbyshire organisations that help people without
// internet access find activities and services, as listed on the reference
// page.
func OfflineHelp() []directory.OfflineHelp {
	p := func(number, desc string) directory.Phone { return directory.Phone{Number: number, Description: desc} }
	list := []directory.OfflineHelp{
		{Name: "Community Action Derby", Phones: []directory.Phone{p("(01332) 346266", "")}, Address: "Community Action Derby\n1 Morledge\nDerby\nDE1 2AW", Area: "Derby"},
		{Name: "South Derbyshire CVS", Phones: []directory.Phone{p("01283 219761", "")}, Area: "South Derbyshire"},
		{Name: "Amber Valley CVS", Phones: []directory.Phone{p("01773 512076", "")}, Address: "Amber Valley CVS\n33 Market Place\nRipley\nDerbyshire\nDE5 3HA", Area: "Amber Valley"},
		{Name: "Erewash Voluntary Action", Phones: []directory.Phone{p("0115 946 6740", "")}, Address: "Erewash Voluntary Action\nGranville Avenue\nLong Eaton\nDerbyshire\nNG10 4HD", Area: "Erewash"},
		{Name: "Derbyshire Dales CVS", Phones: []directory.Phone{p("01629 812154", "")}, Address: "Derbyshire Dales CVS\nAgricultural Business Ctr\nAgricultural Way\nBakewell\nDE45 1AH", Area: "Derbyshire Dales"},
		{Name: "Connex Buxton and Ashbourne", Phones: []directory.Phone{p("01298 23970", "High Peak area"), p("01335 348600", "Derbyshire Dales")},
			Address: "Connex Buxton\n16 Eagle Parade\nBuxton\nDerbyshire\nSK17 6EQ\n\nConnex Ashbourne\nCompton Offices\nKing Edward Street\nAshbourne\nDerbyshire\nDE6 1BW", Area: "High Peak and Derbyshire Dales"},
		{Name: "New Mills Volunteer Centre", Phones: []directory.Phone{p("01663 744196", "")}, Address: "New Mills Volunteer Centre\n33/35 Union Road\nNew Mills\nHigh Peak\nSK22 3EL", Area: "High Peak"},
		{Name: "High Peak CVS", Phones: []directory.Phone{p("01663 735350", "")}, Area: "High Peak"},
		{Name: "Bolsover CVS", Phones: []directory.Phone{p("01246 605075", "")}, Address: "Bolsover CVS\n36a Market Pl\nBolsover\nChesterfield\nS44 6PN", Area: "Bolsover"},
		{Name: "Derbyshire Voluntary Action", Phones: []directory.Phone{p("01246 555908", "")}, Address: "The Hub @ Low Pavement\nChesterfield town centre\noff New Square\nat 61-63 Low Pavement\nS40 1PA", Area: "Chesterfield, North East Derbyshire and Bolsover"},
		{Name: "Chesterfield and North East Derbyshire Volunteer Centre", Phones: []directory.Phone{p("01246 276 777", "")}, Address: "38 Knifesmithgate\nChesterfield\nDerbyshire\nS40 1RQ", Area: "Chesterfield and North East Derbyshire"},
		{Name: "Links CVS (Chesterfield)", Phones: []directory.Phone{p("01246 274844", "")}, Area: "Chesterfield and North East Derbyshire"},
		{Name: "The Bureau (Glossop)", Phones: []directory.Phone{p("01457 865722", "")}, Address: "The Bureau\nBank House\n22 Henry St\nGlossop\nSK13 8BW", Area: "High Peak"},
	}
	for i := range list {
		list[i].ID = id("offline-help", list[i].Name)
	}
	return list
}
