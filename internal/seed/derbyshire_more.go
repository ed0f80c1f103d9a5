package seed

// moreServices adds services to organisations defined in derbyshireOrgs, by
// organisation name.
var moreServices = map[string][]svcDef{
	"Derwent Valley Walk and Talk": {
		{title: "Walk and talk", cats: "wellbeing,physical-activity,loneliness", path: "sign", when: "MO 13:30-15:00", keywords: "walking, walk and talk, conversation, company",
			about:    "An easy-paced hour's walk for anyone who would like some company and a chat. We meet in Matlock on the first and third Mondays of the month and in Wirksworth on the others. Walks end with a cuppa, and nobody has to talk about anything they would rather not.",
			postcode: "DE4 3LT", street: "Crown Square", also: &place{street: "Market Place", town: "Wirksworth", postcode: "DE4 4EY"}},
	},
	"Chaddesden Silver Social Club": {
		{title: "Family history group", cats: "learning,older-people", path: "sign", cost: "£2 per session", when: "3TH 14:00-16:00", keywords: "family history, genealogy, research, local history",
			about: "Find out about your ancestors with help from experienced researchers. Laptops with access to family history websites are available, and beginners are very welcome."},
	},
	"Matlock Striders": {
		{title: "Buggy walks for parents", cats: "family,physical-activity", path: "sign", when: "MO 10:00-11:00", keywords: "walking, buggy, pushchair, parents, babies",
			about: "A pushchair-friendly walk around Matlock for parents and carers of babies and toddlers, ending at a baby-friendly café."},
	},
	"Dales Pound Wise Advice": {
		{title: "Pension credit check", cats: "money-advice,older-people", path: "sign", when: "FR 10:00-12:00", keywords: "pension credit, benefits, older people",
			about: "Many older people miss out on Pension Credit. Drop in or call and we will check what you could get and help you claim."},
		{title: "Money advice outreach in Matlock and Wirksworth", cats: "money-advice,older-people", path: "sign", when: "1TH 10:00-13:00", keywords: "debt, benefits, budgeting, outreach, attendance allowance",
			about:    "Our advisers hold monthly sessions in Matlock and Wirksworth for people who cannot get to Bakewell. Come along for help with benefits forms, debts or bills. No appointment needed, but phoning ahead means we can bring the right paperwork.",
			postcode: "DE4 3AG", street: "Bank Road", town: "Matlock", also: &place{street: "Coldwell Street", town: "Wirksworth", postcode: "DE4 4EZ"}},
	},
	"Eagle Parade Community Kitchen": {
		{title: "Community meal for families", cats: "food,family", path: "sign", when: "SA 12:00-14:00", keywords: "meals, families, children, lunch",
			about: "A free hot Saturday lunch for families, with games for children. No need to book."},
	},
	"Glossop Boots and Brews Walkers": {
		{title: "Walking netball", cats: "physical-activity,older-people", path: "sign", cost: "£2.50 per session", when: "TU 14:00-15:00", keywords: "netball, walking netball, sport",
			about: "Netball at a walking pace for women of any age and fitness. Friendly and fun.", postcode: "SK13 8BP", street: "Glossop Leisure Centre"},
	},
	"Spireside Tinkerers": {
		{title: "Bike recycling workshop", cats: "learning,employment,physical-activity", path: "sign", when: "SA 10:00-13:00", keywords: "cycling, bikes, repairs, volunteering",
			about: "Learn to fix bikes by refurbishing donated ones, which go to people who need transport to work."},
	},
	"Holmebrook Food Share": {
		{title: "Cooking with a food parcel", cats: "food,learning", path: "sign", when: "TU 13:00-14:30", keywords: "cooking, recipes, budget",
			about: "Short practical cooking sessions showing simple meals you can make from a food parcel with little equipment."},
	},
	"Kedleston Road Growing Circle": {
		{title: "Forest bathing walks", cats: "nature,mental-health", path: "sign", cost: "£5 per walk", when: "2SU 10:00-12:00", keywords: "walking, forest bathing, mindfulness, trees",
			about: "Slow, mindful walks in Markeaton Park woodland led by a trained guide. Time to notice nature and unwind.", postcode: "DE22 3BG", street: "Markeaton Park"},
	},
	"Lamplight Evening Café": {
		{title: "Peer support line", cats: "mental-health,loneliness", path: "sign", when: "MO,TU,WE,TH,FR,SA,SU 18:00-23:00", keywords: "helpline, listening, mental health, crisis",
			about: "Call and talk to someone who has been there. Our peer supporters listen without judging."},
	},
	"Riverlight Youth Project": {
		{title: "Skills for work for 16 to 24s", cats: "young-people,employment", path: "form", when: "TH 10:00-15:00", keywords: "jobs, apprenticeships, NEET, training",
			about: "A twelve-week programme helping young people not in work or education build skills, get qualifications and find jobs or apprenticeships.", minAge: 16, maxAge: 24},
		{title: "Young people's cooking club", cats: "young-people,food,learning", path: "sign", cost: "£1 per session", when: "WE 16:30-18:00", keywords: "cooking, recipes, teenagers, healthy eating",
			about: "Teenagers learn to cook simple, cheap meals from scratch and eat together at the end. Recipes change every week and are chosen by the group.", minAge: 11, maxAge: 16},
	},
	"Erewash Footpath Friends": {
		{title: "Nordic walking in Shipley Park", cats: "physical-activity,nature", path: "sign", cost: "£2 per session, poles provided", when: "WE 10:00-11:30", keywords: "walking, nordic walking, park, poles",
			about: "Nordic walking around Shipley Country Park for people who have tried our health walks and want to go further.", postcode: "DE75 7GX", street: "Shipley Country Park", town: "Heanor"},
	},
	"Trentside Voices": {
		{title: "Ukulele group", cats: "arts,older-people", path: "sign", cost: "£3 per session", when: "MO 14:00-16:00", keywords: "ukulele, music, instruments",
			about: "Learn to play the ukulele in a relaxed group. Loan instruments available for beginners."},
	},
	"Amber Valley Open Door Talking": {
		{title: "Men's mental health group", cats: "mental-health,loneliness", path: "sign", when: "TH 19:00-20:30", keywords: "men, mental health, talking, peer support",
			about: "A weekly space for men to talk about what is on their minds over a brew. Facilitated by trained volunteers."},
	},
	"Henmore Brook Walkers": {
		{title: "Walk and sketch", cats: "arts,physical-activity,nature", path: "sign", when: "1FR 10:00-12:30", keywords: "walking, sketching, drawing, outdoors",
			about: "A gentle walk with stops to sketch the views, led by a local artist. Sketchbooks and pencils provided."},
	},
	"Eureka Carers Circle": {
		{title: "Carers' coffee morning", cats: "carers,loneliness", path: "sign", when: "2TU 10:00-12:00", keywords: "carers, coffee, support",
			about: "Meet other carers for coffee and cake, and get advice from the hub's carers' support workers."},
		{title: "Carers' emergency plan", cats: "carers", path: "form", when: "", keywords: "carers, emergency card, planning",
			about: "We help you make a plan for the person you care for if something happens to you, and give you a carer's emergency card."},
	},
	"Gosforth Valley Stroke Circle": {
		{title: "Living well with diabetes group", cats: "long-term-conditions,food", path: "pro", when: "4WE 14:00-16:00", keywords: "diabetes, diet, health",
			about: "A monthly group for people with type 2 diabetes, with talks from a dietitian and practice nurse. Referral by a GP or practice nurse.", postcode: "S18 1QQ", street: "Dronfield Civic Hall"},
	},
	"Castle Yard Crafters": {
		{title: "Family craft Saturdays", cats: "arts,family,young-people", path: "sign", cost: "£1 per child", when: "1SA 10:00-12:00", keywords: "crafts, children, families",
			about: "Craft activities for children with their parents or carers. All materials provided."},
	},
	"Clay Cross Gloves Up Boxing": {
		{title: "Ladies' fitness circuits", cats: "physical-activity,wellbeing", path: "sign", cost: "£2 per session", when: "MO 10:00-11:00", keywords: "fitness, women, circuits, exercise",
			about: "A friendly women-only fitness class at your own pace, with a crèche."},
	},
	"Long Eaton Next Step Jobs": {
		{title: "English for speakers of other languages", cats: "learning,employment", path: "form", when: "TU,TH 13:00-15:00", keywords: "ESOL, English, language classes",
			about: "Free English classes for adults at beginner and intermediate levels, with help to join college courses."},
		{title: "Digital job search drop-in", cats: "employment,learning", path: "sign", when: "FR 10:00-12:00", keywords: "jobs, online applications, universal credit journal, email, CV",
			about:    "Get help searching and applying for jobs online, setting up an email address and using your Universal Credit journal. Computers are available, or bring your own phone or laptop.",
			postcode: "DE7 5RP", street: "Market Place", town: "Ilkeston"},
	},
}
