package seed

// The Derbyshire demo directory. Organisations are fictional; towns and
// postcodes are real. Compact notation, expanded by Derbyshire():
//   path: sign (signposting), form (Waymark form), ext (external form), pro (professionals only)
//   cost: "" is free; otherwise the price as shown to people
//   when: "TU 10:00-12:00", "MO,TH 09:30-11:30", or monthly "1WE 14:00-16:00"
//   status: "" published and listed; unlisted, frozen or pending
//   postcode, street, town: where the service runs, when not at the organisation's address
//   also: a second place the service runs

type orgDef struct {
	name, town, postcode, street, phone, web, about string
	services                                        []svcDef
}

type svcDef struct {
	title, cats, path, cost, when, about, keywords string
	wait, minAge, maxAge                           int
	criteria, status, note, postcode, street, town string
	also                                           *place
}

// place is a second location of a service.
type place struct{ street, town, postcode string }

var derbyshireOrgs = []orgDef{
	{name: "Matlock Striders", town: "Matlock", postcode: "DE4 3AG", street: "Bank Road", phone: "01629 555101", web: "https://matlock-striders.example",
		about: "A volunteer-led walking club for people of all abilities in and around Matlock.",
		services: []svcDef{
			{title: "Matlock health walks", cats: "physical-activity,wellbeing", path: "sign", when: "TU,FR 10:00-11:30", keywords: "walking, walks, health walk, fresh air",
				about: "Gentle, led walks of about an hour along the river and through Hall Leys Park. Walks are on paths suitable for beginners, and a walk leader stays at the back so nobody is left behind. Just turn up at the bandstand; there is always time for a chat afterwards."},
			{title: "Nordic walking for beginners", cats: "physical-activity", path: "form", cost: "£3 per session", when: "SA 09:30-11:00", keywords: "nordic walking, poles, fitness",
				about: "Learn Nordic walking over a four-week course, with poles provided. Nordic walking works the whole body and is kind to the knees. Refer yourself and a leader will call you before your first session.", postcode: "DE4 3LT", street: "Hall Leys Park"},
		}},
	{name: "Derwent Valley Walk and Talk", town: "Matlock", postcode: "DE4 3DB", street: "Firs Parade", phone: "07700 900201", web: "https://derwent-walk-talk.example",
		about: "A peer support group that meets for walks and conversation about mental health.",
		services: []svcDef{
			{title: "Walk and talk for men", cats: "mental-health,physical-activity", path: "sign", when: "WE 18:00-19:30", keywords: "walking, men's mental health, peer support, talking",
				about: "A relaxed evening walk for men who want to talk, or just walk alongside others. No sign-up and no pressure: come as you are. Walks last about 90 minutes and finish at a café.", criteria: "Men aged 18 and over", minAge: 18},
			{title: "Mindful walking in the Dales", cats: "mental-health,nature", path: "form", when: "1SU 10:00-13:00", keywords: "walking, mindfulness, anxiety, countryside",
				about: "A monthly countryside walk with short mindfulness exercises along the way. Walks are about five miles with some hills. Lifts can often be shared from Matlock station.", wait: 2},
		}},
	{name: "Darley Dale Plot and Pot Garden", town: "Darley Dale", postcode: "DE4 2EQ", street: "Station Road", phone: "01629 555103", web: "https://darley-garden.example",
		about: "A community garden growing fruit and vegetables with local volunteers.",
		services: []svcDef{
			{title: "Green gym gardening sessions", cats: "nature,physical-activity,wellbeing", path: "sign", when: "TH 10:00-13:00", keywords: "gardening, allotment, outdoors, volunteering",
				about: "Help grow food in our community garden. Tools, gloves and tea are provided and no experience is needed. Tasks suit all abilities, from seed sowing under cover to digging beds."},
			{title: "Therapeutic horticulture", cats: "nature,mental-health", path: "pro", when: "MO 10:00-12:00", keywords: "gardening, therapy, mental health recovery",
				about: "Small-group gardening sessions for people recovering from mental ill health, run by a qualified horticultural therapist. Places are by referral from a GP, link worker or mental health team.", wait: 6, criteria: "Adults with a mental health condition, referred by a professional", minAge: 18},
		}},
	{name: "Wirksworth Ink and Easel", town: "Wirksworth", postcode: "DE4 4EZ", street: "Coldwell Street", phone: "01629 555104", web: "https://wirksworth-arts.example",
		about: "Artists offering friendly creative sessions in Wirksworth.",
		services: []svcDef{
			{title: "Drop-in art club", cats: "arts,wellbeing,loneliness", path: "sign", cost: "£2 per session, first session free", when: "WE 13:30-15:30", keywords: "painting, drawing, art, creative",
				about: "Painting, drawing and printmaking for adults of any ability. Materials are provided. A relaxed way to try something new and meet people."},
			{title: "Creative writing circle", cats: "arts,learning", path: "sign", when: "2TH 19:00-21:00", keywords: "writing, poetry, stories",
				about: "A monthly circle for anyone who writes or would like to. Share work if you wish, or just listen. Each session has a short prompt to get started."},
		}},
	{name: "Cromford Towpath Keepers", town: "Cromford", postcode: "DE4 3RQ", street: "Mill Road", phone: "01629 555105",
		about: "Volunteers caring for the canal towpath and wildlife around Cromford.",
		services: []svcDef{
			{title: "Conservation volunteering days", cats: "nature,employment,physical-activity", path: "form", when: "SA 10:00-15:00", keywords: "volunteering, conservation, wildlife, outdoors",
				about: "Clear vegetation, repair paths and survey wildlife along the canal. Training and tools are provided. A good way to get outdoors, learn skills and meet others.", minAge: 16},
		}},
	{name: "River Wye Friendship Lunch Club", town: "Bakewell", postcode: "DE45 1AH", street: "Agricultural Way", phone: "01629 555106",
		about: "Hot lunches and company for older people in Bakewell.",
		services: []svcDef{
			{title: "Friday lunch club", cats: "older-people,food,loneliness", path: "sign", cost: "£5.50 for a two-course lunch", when: "FR 12:00-14:00", keywords: "lunch, meals, social, company",
				about: "A two-course hot lunch followed by tea, a quiz or entertainment. Transport can be arranged for people who cannot get there on their own.", criteria: "People aged 60 and over", minAge: 60},
			{title: "Telephone befriending", cats: "loneliness,older-people", path: "form", when: "", keywords: "befriending, phone calls, friendship",
				about: "A friendly volunteer phones you at the same time each week for a chat. Calls are matched to your interests.", wait: 4, status: "frozen",
				note: "We have more requests than volunteers at the moment: the waiting list is about 8 weeks. Please still get in touch."},
		}},
	{name: "Dales Pound Wise Advice", town: "Bakewell", postcode: "DE45 1DD", street: "Matlock Street", phone: "01629 555107", web: "https://peak-money.example",
		about: "Free, confidential money advice for people in the Derbyshire Dales.",
		services: []svcDef{
			{title: "Debt and benefits advice", cats: "money-advice", path: "form", when: "MO,WE 09:30-16:30", keywords: "debt, benefits, universal credit, budgeting, bills",
				about: "Advisers help you deal with debts, check you are getting every benefit you are entitled to, and challenge decisions. Appointments by phone, video or face to face.", wait: 1},
			{title: "Energy bill help", cats: "money-advice,housing", path: "sign", when: "TH 10:00-12:00", keywords: "energy, fuel poverty, heating, bills",
				about: "Drop in for help with energy bills, switching tariffs, grants for insulation and emergency fuel vouchers.", postcode: "DE45 1EZ", street: "Bath Street"},
		}},
	{name: "Eagle Parade Community Kitchen", town: "Buxton", postcode: "SK17 6EQ", street: "Eagle Parade", phone: "01298 555108", web: "https://buxton-kitchen.example",
		about: "A community café and pantry in Buxton town centre.",
		services: []svcDef{
			{title: "Pay-as-you-feel café", cats: "food,loneliness", path: "sign", when: "TU,TH 11:00-14:00", keywords: "meals, café, food, community",
				about: "Hot meals cooked from surplus food. Pay what you can afford, or nothing at all. Everyone is welcome."},
			{title: "Community pantry", cats: "food,money-advice", path: "sign", cost: "£4 membership per week", when: "FR 10:00-13:00", keywords: "pantry, groceries, food bank",
				about: "Members choose ten items of groceries, fresh fruit and vegetables each week for a small weekly fee. Help with money advice is available on the day."},
			{title: "Cook well on a budget course", cats: "food,learning", path: "form", when: "MO 13:00-15:00", keywords: "cooking, budget, healthy eating",
				about: "A six-week course on cooking simple, healthy meals for less. Ingredients provided and you take home what you cook."},
		}},
	{name: "High Peak Forget-Me-Not Circle", town: "Buxton", postcode: "SK17 6BP", street: "Spring Gardens", phone: "01298 555109", web: "https://forget-me-not-circle.example",
		about: "Support for people living with dementia and their families in the High Peak.",
		services: []svcDef{
			{title: "Memory café", cats: "older-people,carers,long-term-conditions", path: "sign", when: "2WE 14:00-16:00", keywords: "dementia, memory, carers, café",
				about: "A welcoming afternoon for people with memory problems and the people who care for them. Music, reminiscence and a chance to talk to others in the same position."},
			{title: "Carers' support group", cats: "carers", path: "sign", when: "4TU 10:00-12:00", keywords: "carers, dementia, support group",
				about: "A monthly group for family carers of people with dementia, with guest speakers on topics such as power of attorney and respite care.", postcode: "SK17 6EL", street: "Market Place"},
		}},
	{name: "Glossop Boots and Brews Walkers", town: "Glossop", postcode: "SK13 8BW", street: "Henry Street", phone: "01457 555110",
		about: "Friendly group walks in Glossop and the surrounding hills.",
		services: []svcDef{
			{title: "Glossop short walks", cats: "physical-activity,loneliness", path: "sign", when: "WE 10:00-11:30", keywords: "walking, walks, rambling",
				about: "Short, flat walks around Glossop for people getting back into walking. Meet at the Bureau on Henry Street."},
			{title: "Hill walking group", cats: "physical-activity,nature", path: "sign", when: "SU 09:00-15:00", keywords: "walking, hills, rambling, countryside",
				about: "Longer walks of 8 to 12 miles on moorland paths for people with some walking experience. Bring boots, waterproofs and lunch.", criteria: "Some walking fitness needed"},
		}},
	{name: "Dinting Breath and Song", town: "Glossop", postcode: "SK13 8AF", street: "Norfolk Street", phone: "01457 555111", web: "https://glossop-sing.example",
		about: "A community choir with sessions designed for lung health.",
		services: []svcDef{
			{title: "Singing for better breathing", cats: "arts,long-term-conditions", path: "ext", cost: "£3 per session", when: "MO 14:00-15:30", keywords: "singing, COPD, breathing, choir, lungs",
				about: "Singing exercises and songs for people living with COPD, asthma or long COVID. No need to read music. Led by a trained Singing for Lung Health practitioner."},
		}},
	{name: "Spireside Tinkerers", town: "Chesterfield", postcode: "S40 1PA", street: "Low Pavement", phone: "01246 555112", web: "https://chesterfield-shed.example",
		about: "A workshop where people share skills, make things and chat.",
		services: []svcDef{
			{title: "Tinkerers' workshop", cats: "loneliness,mental-health,learning", path: "sign", cost: "£2 per visit", when: "TU,TH 10:00-15:00", keywords: "woodwork, shed, making, social",
				about: "Woodwork, repairs and making things in a friendly workshop. Open to anyone, though most members are older men. Tea is always on."},
		}},
	{name: "Saltergate Active Lives", town: "Chesterfield", postcode: "S40 1RQ", street: "Knifesmithgate", phone: "01246 555113", web: "https://spire-active.example",
		about: "Community sport and exercise sessions for people who are not very active.",
		services: []svcDef{
			{title: "Walking football", cats: "physical-activity,older-people", path: "sign", cost: "£3 per session", when: "WE 11:00-12:00", keywords: "football, walking football, sport",
				about: "Football at walking pace: no running, no tackling. Ideal for people returning to sport or managing a health condition.", minAge: 50, criteria: "Adults aged 50 and over"},
			{title: "Exercise referral programme", cats: "physical-activity,long-term-conditions", path: "pro", cost: "£15 for 12 weeks", when: "MO,WE,FR 09:00-17:00", keywords: "exercise referral, gym, weight, diabetes, heart",
				about: "Twelve weeks of supervised gym and pool sessions for adults with a health condition, with an instructor who builds a plan around you. Referral from a GP, practice nurse or link worker.", wait: 3, minAge: 16},
			{title: "Chair-based exercise", cats: "physical-activity,older-people", path: "sign", when: "TH 14:00-15:00", keywords: "seated exercise, chair exercise, mobility",
				about: "Gentle seated exercise to music to improve strength, balance and mobility. Suitable if you are unsteady on your feet.", postcode: "S40 1AF", street: "Saltergate"},
		}},
	{name: "Holmebrook Food Share", town: "Chesterfield", postcode: "S41 0AF", street: "Sheffield Road", phone: "01246 555114",
		about: "Emergency food and household essentials in Chesterfield.",
		services: []svcDef{
			{title: "Emergency food parcels", cats: "food,money-advice", path: "pro", when: "MO,WE,FR 10:00-13:00", keywords: "food bank, food parcel, emergency, voucher",
				about: "Three days of emergency food for people in crisis. A voucher from a GP, link worker, advice service or school is needed. We also signpost to money advice.", criteria: "People in financial crisis, with a voucher"},
		}},
	{name: "Brimington Cuppa Companions", town: "Brimington", postcode: "S43 1DJ", street: "High Street", phone: "01246 555115",
		about: "Volunteers offering companionship to isolated people.",
		services: []svcDef{
			{title: "Home visiting befriending", cats: "loneliness,older-people", path: "form", when: "", keywords: "befriending, visits, companionship",
				about: "A vetted volunteer visits you at home once a week for a cup of tea and a chat, or to go out together.", wait: 5},
		}},
	{name: "Kedleston Road Growing Circle", town: "Derby", postcode: "DE22 1AG", street: "Kedleston Road", phone: "01332 555116", web: "https://derby-allotments.example",
		about: "Shared allotment plots for people who want to grow food together.",
		services: []svcDef{
			{title: "Shared growing plots", cats: "nature,food,wellbeing", path: "sign", when: "SA 10:00-13:00", keywords: "allotment, gardening, growing food",
				about: "Join a group plot and learn to grow vegetables alongside experienced growers. Share the harvest. Raised beds are available for people who cannot kneel."},
		}},
	{name: "Morledge Money Advice Project", town: "Derby", postcode: "DE1 2AW", street: "Morledge", phone: "01332 555117", web: "https://derby-debt.example",
		about: "Specialist debt advice for people in Derby city.",
		services: []svcDef{
			{title: "Debt advice appointments", cats: "money-advice,housing", path: "ext", when: "MO,TU,WE,TH,FR 09:00-17:00", keywords: "debt, bailiffs, rent arrears, council tax",
				about: "One-to-one appointments with an accredited debt adviser. We can talk to creditors for you, stop bailiff action and help with rent or council tax arrears.", wait: 2},
			{title: "Benefits check drop-in", cats: "money-advice", path: "sign", when: "WE 10:00-12:00", keywords: "benefits, PIP, universal credit, forms",
				about: "Drop in for a benefits check and help filling in forms for PIP, Attendance Allowance and Universal Credit."},
		}},
	{name: "Lamplight Evening Café", town: "Derby", postcode: "DE1 3AF", street: "Friar Gate", phone: "01332 555118",
		about: "Out-of-hours support for people in emotional distress.",
		services: []svcDef{
			{title: "Evening crisis café", cats: "mental-health", path: "sign", when: "MO,TU,WE,TH,FR,SA,SU 18:00-23:00", keywords: "crisis, mental health, anxiety, suicidal thoughts, safe space",
				about: "A calm, safe place to go in the evening if you are struggling with your mental health. Talk to trained staff and peer workers. No appointment needed.", minAge: 18},
		}},
	{name: "Normanton Little Steps Family Centre", town: "Derby", postcode: "DE23 6AB", street: "Normanton Road", phone: "01332 555119", web: "https://little-steps-normanton.example",
		about: "A family centre for parents and children in Normanton.",
		services: []svcDef{
			{title: "Stay and play", cats: "family,young-people", path: "sign", cost: "£1 per family", when: "TU,TH 09:30-11:30", keywords: "toddlers, parents, play, babies",
				about: "Play sessions for under-fives and their parents or carers, with a health visitor on hand once a month.", maxAge: 5},
			{title: "Parenting course", cats: "family,learning", path: "form", when: "WE 10:00-12:00", keywords: "parenting, behaviour, family",
				about: "An eight-week course for parents of children aged 2 to 11, covering routines, behaviour and looking after yourself. Crèche available.", wait: 3},
		}},
	{name: "Riverlight Youth Project", town: "Derby", postcode: "DE24 8AF", street: "London Road", phone: "01332 555120", web: "https://derby-youth-hub.example",
		about: "Youth work and activities for young people in Derby.",
		services: []svcDef{
			{title: "Youth club", cats: "young-people,loneliness", path: "sign", when: "MO,WE 18:00-21:00", keywords: "youth club, teenagers, games, sport",
				about: "Games, sport, cooking and trips, with youth workers to talk to about anything.", minAge: 11, maxAge: 18},
			{title: "Young people's wellbeing support", cats: "young-people,mental-health", path: "form", when: "TU 16:00-19:00", keywords: "anxiety, stress, young people, counselling",
				about: "One-to-one sessions with a youth wellbeing worker for young people who feel anxious, low or stressed.", minAge: 11, maxAge: 25, wait: 4},
		}},
	{name: "Chaddesden Silver Social Club", town: "Derby", postcode: "DE21 4AE", street: "Nottingham Road", phone: "01332 555121", web: "https://chaddesden-silver.example",
		about: "A social club for people aged over 50 in Chaddesden.",
		services: []svcDef{
			{title: "Tea dance", cats: "older-people,physical-activity,loneliness", path: "sign", cost: "£3.50 including tea and cake", when: "1TU 14:00-16:30", keywords: "dancing, tea dance, music",
				about: "Ballroom and sequence dancing to live music. Come to dance or just to listen and chat.", minAge: 50},
			{title: "Digital help for over 50s", cats: "learning,older-people", path: "sign", when: "TH 10:00-12:00", keywords: "computers, tablets, online, digital skills",
				about: "Bring your phone, tablet or laptop and volunteers will help you get online, video call family or order repeat prescriptions."},
		}},
	{name: "Alvaston Carers' Kettle", town: "Derby", postcode: "DE24 0AF", street: "London Road", phone: "01332 555122",
		about: "Practical and emotional support for unpaid carers in south Derby.",
		services: []svcDef{
			{title: "Carers' breaks and advice", cats: "carers,wellbeing", path: "form", when: "MO,TU,WE,TH 09:00-16:00", keywords: "carers, respite, carer's assessment",
				about: "Help with carer's assessments, short breaks and grants, and a monthly pamper day for carers."},
		}},
	{name: "Erewash Footpath Friends", town: "Ilkeston", postcode: "DE7 5AF", street: "Market Place", phone: "0115 555 0123",
		about: "Free short walks around Ilkeston.",
		services: []svcDef{
			{title: "Ilkeston health walks", cats: "physical-activity,older-people", path: "sign", when: "MO 10:30-11:30", keywords: "walking, walks, health walk",
				about: "Short, free, led walks of 30 to 60 minutes around Victoria Park. Ideal if you are just starting to be more active."},
		}},
	{name: "Ilkeston Daybreak Recovery Café", town: "Ilkeston", postcode: "DE7 5DB", street: "Bath Street", phone: "0115 555 0124",
		about: "Peer support for people in recovery from drugs and alcohol.",
		services: []svcDef{
			{title: "Recovery café", cats: "mental-health,wellbeing", path: "sign", when: "SA 11:00-14:00", keywords: "addiction, alcohol, drugs, recovery, peer support",
				about: "A Saturday café run by people in recovery, for people in recovery and their families. Peer support, food and activities in a substance-free space."},
		}},
	{name: "Trentside Voices", town: "Long Eaton", postcode: "NG10 1AF", street: "Tamworth Road", phone: "0115 555 0125", web: "https://le-choir.example",
		about: "A friendly, non-auditioned community choir.",
		services: []svcDef{
			{title: "Community choir", cats: "arts,loneliness,wellbeing", path: "sign", cost: "£4 per session", when: "TH 19:00-21:00", keywords: "singing, choir, music",
				about: "Pop, folk and gospel songs learned by ear. No auditions and no experience needed."},
		}},
	{name: "Long Eaton Next Step Jobs", town: "Long Eaton", postcode: "NG10 4HD", street: "Granville Avenue", phone: "0115 555 0126", web: "https://erewash-jobs.example",
		about: "Employment support for people out of work in Erewash.",
		services: []svcDef{
			{title: "Back to work coaching", cats: "employment,learning", path: "form", when: "TU,WE,TH 09:30-16:30", keywords: "jobs, CV, interviews, employment",
				about: "A personal coach helps you with CVs, applications and interviews, and finds training or volunteering to build confidence.", minAge: 18},
			{title: "Volunteering taster days", cats: "employment,wellbeing", path: "sign", when: "1MO 10:00-14:00", keywords: "volunteering, experience, confidence",
				about: "Try out volunteering with local charities for a day before you commit."},
		}},
	{name: "Derwent Bank Growers", town: "Belper", postcode: "DE56 1AW", street: "Bridge Street", phone: "01773 555127",
		about: "Gardening volunteers at Belper River Gardens.",
		services: []svcDef{
			{title: "Riverside gardening group", cats: "nature,older-people,physical-activity", path: "sign", when: "WE 10:00-12:00", keywords: "gardening, volunteering, outdoors",
				about: "Help keep the River Gardens beautiful. Light tasks available, and a shelter for rainy days."},
		}},
	{name: "Belper Mill Wanderers", town: "Belper", postcode: "DE56 1DT", street: "King Street", phone: "07700 900228",
		about: "Walks along the Derwent Valley for wellbeing.",
		services: []svcDef{
			{title: "Derwent Valley wellbeing walks", cats: "physical-activity,mental-health,nature", path: "sign", when: "SA 10:00-12:00", keywords: "walking, walks, mill, river, wellbeing",
				about: "Two-hour walks from Belper mill along the river. A friendly way to get active and see the World Heritage Site."},
		}},
	{name: "Ripley Open Cupboard", town: "Ripley", postcode: "DE5 3HA", street: "Market Place", phone: "01773 555129",
		about: "A low-cost food pantry in Ripley.",
		services: []svcDef{
			{title: "Ripley pantry", cats: "food,money-advice", path: "sign", cost: "£3.50 per shop", when: "TH 12:00-15:00", keywords: "food, groceries, pantry",
				about: "Choose at least £15 worth of food for £3.50. Open to people living in Amber Valley who are finding it hard to make ends meet."},
		}},
	{name: "Amber Valley Open Door Talking", town: "Ripley", postcode: "DE5 3HB", street: "Church Street", phone: "01773 555130", web: "https://amber-talking.example",
		about: "Low-cost counselling and support groups in Amber Valley.",
		services: []svcDef{
			{title: "Low-cost counselling", cats: "mental-health", path: "ext", cost: "From £10 per session, based on income", when: "MO,TU,WE,TH,FR 09:00-20:00", keywords: "counselling, therapy, depression, anxiety, bereavement",
				about: "Six to twelve sessions with a qualified counsellor, priced by what you can afford.", wait: 8, minAge: 18},
			{title: "Bereavement support group", cats: "mental-health,loneliness", path: "sign", when: "3WE 18:30-20:00", keywords: "bereavement, grief, loss",
				about: "A monthly group for people who have lost someone close, led by trained volunteers."},
		}},
	{name: "Heanor Limelight Youth Drama", town: "Heanor", postcode: "DE75 7AF", street: "Market Street", phone: "01773 555131",
		about: "Drama for young people in Heanor.",
		services: []svcDef{
			{title: "Youth theatre", cats: "young-people,arts", path: "form", cost: "£2 per session, bursaries available", when: "FR 17:00-19:00", keywords: "drama, acting, theatre",
				about: "Weekly drama workshops and two shows a year. Builds confidence and friendships.", minAge: 8, maxAge: 18},
		}},
	{name: "Alfreton Bump and Beyond Circle", town: "Alfreton", postcode: "DE55 7AF", street: "King Street", phone: "07700 900232",
		about: "Peer support for mothers with low mood during and after pregnancy.",
		services: []svcDef{
			{title: "Perinatal peer support group", cats: "family,mental-health", path: "sign", when: "TU 10:00-12:00", keywords: "postnatal depression, mums, babies, perinatal",
				about: "A weekly group where mums can talk openly about how they are feeling, with babies welcome. Facilitated by a trained peer supporter.", status: "unlisted"},
		}},
	{name: "Henmore Brook Walkers", town: "Ashbourne", postcode: "DE6 1BW", street: "King Edward Street", phone: "01335 555133",
		about: "Walking group on the Tissington Trail.",
		services: []svcDef{
			{title: "Tissington Trail walks", cats: "physical-activity,nature", path: "sign", when: "TH 10:00-12:00", keywords: "walking, walks, trail, cycling path",
				about: "Flat walks along the old railway line from Ashbourne. Suitable for wheelchairs and pushchairs on most sections."},
		}},
	{name: "Dovedale Lifts Car Scheme", town: "Ashbourne", postcode: "DE6 1EY", street: "Dig Street", phone: "01335 555134",
		about: "Volunteer drivers for people who cannot use public transport.",
		services: []svcDef{
			{title: "Community car scheme", cats: "older-people,loneliness", path: "form", cost: "45p per mile", when: "MO,TU,WE,TH,FR 09:00-17:00", keywords: "transport, lifts, appointments",
				about: "Volunteer drivers take you to appointments, shops and social activities. Book at least two days ahead.", criteria: "People who cannot use public transport"},
		}},
	{name: "Gresley Open Minds", town: "Swadlincote", postcode: "DE11 0AG", street: "High Street", phone: "01283 555135",
		about: "Activities for mental wellbeing in South Derbyshire.",
		services: []svcDef{
			{title: "Five ways to wellbeing group", cats: "mental-health,wellbeing", path: "form", when: "MO 13:00-15:00", keywords: "wellbeing, anxiety, stress, confidence",
				about: "A friendly six-week group that explores the five ways to wellbeing through practical activities.", wait: 2},
			{title: "Swadlincote parkrun buddies", cats: "physical-activity,mental-health", path: "sign", when: "SA 08:45-10:00", keywords: "running, walking, parkrun, jogging",
				about: "Volunteers meet you before parkrun and walk or jog alongside you, so you never go alone. Walking the course is welcome.", postcode: "DE11 0DD", street: "Eureka Park"},
		}},
	{name: "Eureka Carers Circle", town: "Swadlincote", postcode: "DE11 0EZ", street: "Civic Way", phone: "01283 555136", web: "https://eureka-carers.example",
		about: "Information and support for carers in South Derbyshire.",
		services: []svcDef{
			{title: "Young carers club", cats: "carers,young-people", path: "pro", when: "TH 16:00-18:00", keywords: "young carers, children, break",
				about: "A weekly break for young carers with activities, trips and someone to talk to. Referral by a school, GP or social worker.", minAge: 8, maxAge: 17},
		}},
	{name: "Castle Yard Crafters", town: "Bolsover", postcode: "S44 6PN", street: "Market Place", phone: "01246 555137", web: "https://castle-yard-crafters.example",
		about: "Traditional crafts taught by local makers.",
		services: []svcDef{
			{title: "Knit and natter", cats: "arts,loneliness,older-people", path: "sign", when: "WE 14:00-16:00", keywords: "knitting, crochet, crafts, social",
				about: "Bring your knitting or crochet, or learn from scratch. Wool and needles to borrow."},
			{title: "Pottery for wellbeing", cats: "arts,mental-health", path: "form", cost: "£5 per session", when: "MO 18:00-20:00", keywords: "pottery, clay, ceramics",
				about: "A six-week beginners' pottery course in a small, calm group. All materials and firing included.", wait: 3},
		}},
	{name: "Cotton Street Money Point", town: "Bolsover", postcode: "S44 6PX", street: "Cotton Street", phone: "01246 555138",
		about: "Money advice in Bolsover and the surrounding villages.",
		services: []svcDef{
			{title: "Outreach money advice", cats: "money-advice", path: "sign", when: "TU 10:00-14:00", keywords: "debt, benefits, budgeting",
				about: "Free, confidential help with debts, benefits and budgeting at the library every Tuesday."},
		}},
	{name: "Gosforth Valley Stroke Circle", town: "Dronfield", postcode: "S18 1NT", street: "Civic Centre", phone: "01246 555139",
		about: "A social and exercise club for stroke survivors.",
		services: []svcDef{
			{title: "Stroke survivors club", cats: "long-term-conditions,physical-activity,loneliness", path: "sign", when: "2TH 13:30-15:30", keywords: "stroke, rehabilitation, exercise, carers",
				about: "Gentle exercise, speech and language games and a chance to meet others after a stroke. Carers welcome."},
		}},
	{name: "Torrs Footsteps Walking Group", town: "New Mills", postcode: "SK22 3EL", street: "Union Road", phone: "01663 555140",
		about: "Walks through the Torrs and New Mills' industrial heritage.",
		services: []svcDef{
			{title: "Torrs heritage walks", cats: "physical-activity,nature,learning", path: "sign", when: "1SA 10:30-12:30", keywords: "walking, walks, history, heritage",
				about: "Guided walks through the Torrs gorge and the millennium walkway, learning about New Mills' mills and railways."},
		}},
	{name: "Chapel Fix-It Collective", town: "Chapel-en-le-Frith", postcode: "SK23 0HY", street: "Market Street", phone: "01298 555141",
		about: "A repair café and workshop in Chapel-en-le-Frith.",
		services: []svcDef{
			{title: "Repair café", cats: "loneliness,learning", path: "sign", when: "3SA 10:00-13:00", keywords: "repairs, fixing, sustainability, volunteering",
				about: "Bring broken things — toasters, clothes, bikes — and fix them with help from volunteers. Tea and cake while you wait."},
		}},
	{name: "Clay Cross Gloves Up Boxing", town: "Clay Cross", postcode: "S45 9AF", street: "High Street", phone: "01246 555142",
		about: "Non-contact boxing fitness for all.",
		services: []svcDef{
			{title: "Boxing for fitness and mental health", cats: "physical-activity,mental-health,young-people", path: "sign", cost: "£2 per session", when: "TU,TH 18:00-19:00", keywords: "boxing, fitness, exercise, confidence",
				about: "Non-contact boxing circuits for all fitness levels, with a coach trained in mental health first aid.", minAge: 14},
		}},
	{name: "Staveley Warm Hearth", town: "Staveley", postcode: "S43 3AF", street: "High Street", phone: "01246 555143",
		about: "A warm space with free soup in winter.",
		services: []svcDef{
			{title: "Warm welcome space", cats: "food,loneliness,housing", path: "sign", when: "MO,WE,FR 10:00-15:00", keywords: "warm space, soup, heating, company",
				about: "A warm room with free soup, hot drinks, Wi-Fi and phone charging from November to March. Advisers visit on Wednesdays.", status: "unlisted"},
		}},
	{name: "Killamarsh Shared Shelf", town: "Killamarsh", postcode: "S21 1AF", street: "Sheffield Road", phone: "0114 555 0144",
		about: "A community larder run by volunteers.",
		services: []svcDef{
			{title: "Community larder", cats: "food", path: "sign", when: "WE 13:00-15:00", keywords: "food, larder, groceries",
				about: "Free surplus food from local supermarkets, shared with anyone who needs it.", status: "pending"},
		}},
	{name: "Barrel Edge Walkers", town: "Wirksworth", postcode: "DE4 4FB", street: "St John Street", phone: "01629 555145", web: "https://barrel-edge-walkers.example",
		about: "Walks for all abilities from Wirksworth into the hills and quarries around the town.",
		services: []svcDef{
			{title: "Wirksworth Nordic walking", cats: "physical-activity,nature", path: "form", cost: "£4 per session, poles to borrow", when: "TH 09:30-11:00", keywords: "walking, nordic walking, poles, hills",
				about: "Nordic walking on the trails above Wirksworth, with views over the Ecclesbourne valley. An instructor teaches the technique over your first two sessions. Poles are provided until you decide whether to buy your own."},
			{title: "Steady steps walks", cats: "long-term-conditions,physical-activity", path: "pro", when: "TU 11:00-12:00", keywords: "walking, health walk, COPD, heart, arthritis, rehabilitation",
				about: "Short, slow walks on level paths for people living with a long-term condition such as COPD, heart disease or arthritis. A leader trained in exercise for health conditions walks with the group, and there are benches to rest on along the way. Places are by referral from a GP, practice nurse, physiotherapist or link worker.",
				wait:  2, minAge: 18, criteria: "Adults with a long-term health condition, referred by a health professional"},
		}},
	{name: "Open Latch Housing Advice", town: "Derby", postcode: "DE1 3PY", street: "Victoria Street", phone: "01332 555146", web: "https://open-latch.example",
		about: "Independent housing advice and support for people in Derby who are struggling to keep or find a home.",
		services: []svcDef{
			{title: "Housing advice drop-in", cats: "housing,money-advice", path: "sign", when: "TU,TH 10:00-13:00", keywords: "housing, eviction, homelessness, renting, landlord, repairs",
				about: "Drop in for free advice if you have a problem with your landlord, are behind with your rent, have been given notice to leave or are worried about becoming homeless. An adviser will explain your options and can contact the council or your landlord for you. Bring any letters you have been sent."},
			{title: "Tenancy sustainment support", cats: "housing,mental-health", path: "ext", when: "MO,TU,WE,TH,FR 09:00-17:00", keywords: "tenancy, support worker, rent arrears, bills, independent living",
				about: "A support worker visits you at home for up to six months to help you manage your tenancy: sorting out bills and benefits, dealing with arrears and getting help with other worries. Anyone can refer using our online form, including yourself.",
				wait:  4, minAge: 18, criteria: "Tenants in Derby who are at risk of losing their home"},
			{title: "Morning drop-in for people sleeping rough", cats: "housing,food", path: "sign", when: "MO,TU,WE,TH,FR 08:00-10:30", keywords: "homeless, rough sleeping, breakfast, showers, laundry",
				about:    "A free cooked breakfast, hot showers, a laundry and a change of clothes. Staff can help you register with a GP, find somewhere to stay tonight and get your post sent here.",
				criteria: "People who are homeless or sleeping rough", minAge: 18, postcode: "DE1 2EG", street: "Bold Lane"},
		}},
}
