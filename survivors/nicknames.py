"""Common first-name nicknames (English and Spanish): Bob is Robert, Pepe is José."""

from functools import lru_cache

# Each group is one given name and the names people go by; a name may sit in two groups.
GROUPS = [
    "robert rob robby robbie bob bobby bert",
    "william will willy willie bill billy liam",
    "richard rich richie rick ricky dick",
    "james jim jimmy jamie",
    "john jon johnny jack",
    "jonathan jon jonny nathan",
    "michael mike mikey mick mickey mo",
    "joseph joe joey jose",
    "thomas tom tommy",
    "charles charlie chuck chas",
    "christopher chris topher kit",
    "daniel dan danny",
    "david dave davey",
    "anthony tony",
    "andrew andy drew",
    "matthew matt matty",
    "joshua josh",
    "nicholas nick nicky",
    "benjamin ben benny benji",
    "samuel sam sammy",
    "steven stephen steve stevie",
    "edward ed eddie ted teddy ned",
    "timothy tim timmy",
    "kenneth ken kenny",
    "ronald ron ronnie",
    "donald don donnie",
    "gregory greg",
    "patrick pat patty",
    "peter pete",
    "raymond ray",
    "lawrence larry",
    "gerald jerry",
    "jeffrey geoffrey jeff",
    "alexander alex al xander sasha",
    "albert al bert",
    "alfred al alfie fred",
    "frederick fred freddie freddy",
    "harold harry hal",
    "henry hank harry",
    "walter walt wally",
    "douglas doug",
    "zachary zach zack",
    "nathaniel nate nathan",
    "philip phillip phil",
    "leonard leo len lenny",
    "vincent vince vinny",
    "elizabeth liz lizzie beth betsy betty eliza libby",
    "margaret maggie meg peggy marge margie",
    "katherine catherine kathryn kate katie kathy cathy kat",
    "jennifer jen jenny",
    "jessica jess jessie",
    "patricia pat patty tricia trish",
    "susan sue susie suzy",
    "deborah debra deb debbie",
    "rebecca becky becca",
    "victoria vicky tori",
    "christina christine chris tina chrissy",
    "kimberly kim",
    "samantha sam sammy",
    "abigail abby",
    "amanda mandy",
    "melissa missy mel",
    "stephanie steph",
    "alexandra alex lexi sandra",
    "cynthia cindy",
    "pamela pam",
    "barbara barb barbie",
    "dorothy dot dottie",
    "teresa theresa terri tess",
    "nicole nikki",
    "judith judy",
    "josephine jo josie",
    "francisco paco pancho frank",
    "francis frank frankie fran",
    "guadalupe lupe lupita",
    "jesus chuy chucho",
    "guillermo memo",
    "ignacio nacho",
    "alejandro alex ale",
    "roberto beto",
    "alberto beto",
    "eduardo lalo eddie",
    "enrique kike quique",
    "manuel manny manolo",
    "maria mari",
    "dolores lola",
    "concepcion concha conchita",
    "rosario chayo",
    "ramon moncho",
    "jose pepe",
    "antonio tono toni tony",
]


@lru_cache(maxsize=1)
def _index():
    index = {}
    for group in GROUPS:
        names = group.split()
        for name in names:
            index.setdefault(name, set()).update(names)
    return index


def variants(first_name):
    """The normalised name and every name it is a nickname of, or has as a nickname."""

    return _index().get(first_name, set()) | {first_name}


def are_nicknames(a, b):
    return a != b and b in variants(a)
