"""The vocabulary piimap reads privacy policies with: data-type phrases, recipients, roles.

**Data types.** Each :class:`DataTerm` is a regular expression over the lower-cased sentence and
the Fides category keys it means. A *specific* term names one kind of data ("e-mail address" ->
``user.contact.email``); a *generic* term names a family and maps to the family's parent key
("contact information" -> ``user.contact``, "device information" -> ``user.device``), so a
policy that only says it collects "contact information" discloses every kind of contact data,
while the examples it lists ("such as name and e-mail") are read as well, each with its own key.
Two kinds carry no key of their own: *personal* terms ("your personal information", "player
data") mean everything the policy says is collected (:data:`~piimap.policytext.model.ALL_COLLECTED`)
when they are shared, and *excluded* terms (de-identified, aggregate, anonymous data) are not
personal data at all and hide what they contain.

**Recipients.** A :class:`RecipientTerm` is a named third party ("Google Analytics") or a class
of recipients ("analytics providers", "law enforcement") with the role piimap's data map uses
for vendors (``service_provider``, ``analytics``, ``advertising``, ``marketing``, ``legal``,
``affiliate``, ...). Generic recipients ("third parties", "anyone") have no role of their own:
a purpose can give them one ("for their direct marketing purposes" -> ``marketing``).

Known limits: the lists are English; a named vendor that is not listed is only recognised
through the class it is introduced with ("our payment processor, Acme Pay").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "DataTerm",
    "RecipientTerm",
    "DATA_TERMS",
    "RECIPIENT_TERMS",
    "FIRST_PARTY",
    "USER_SIDE",
    "LEGAL_PURPOSE",
    "BUSINESS_TRANSFER_CONTEXT",
    "MARKETING_PURPOSE",
    "ACTION_HEADING",
    "CONTAINER_PHRASE",
    "SHARING_HEADING",
    "KIND_SPECIFIC",
    "KIND_GENERIC",
    "KIND_PERSONAL",
    "KIND_UNSPECIFIC",
    "KIND_EXCLUDED",
]

KIND_SPECIFIC = "specific"
KIND_GENERIC = "generic"
KIND_PERSONAL = "personal"
KIND_UNSPECIFIC = "unspecific"
KIND_EXCLUDED = "excluded"


@dataclass(frozen=True)
class DataTerm:
    """A data-type phrase: a pattern over lower-cased text and the category keys it means."""

    name: str
    pattern: re.Pattern[str]
    categories: tuple[str, ...]
    kind: str = KIND_SPECIFIC


@dataclass(frozen=True)
class RecipientTerm:
    """A recipient phrase: a named third party or a class of recipients, and its role.

    ``role`` is ``None`` for generic recipients ("third parties"). ``named`` is true for a
    company or product name ("Google Analytics").
    """

    name: str
    pattern: re.Pattern[str]
    role: str | None
    named: bool = False


def _words(expression: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """``expression`` as a whole-word pattern (no letter, digit or hyphen on either side)."""
    return re.compile(rf"(?<![\w-])(?:{expression})(?![\w-])", flags)


#: Reports that carry data rather than being a kind of it: when the sentence says what they
#: contain ("crash logs, including the phone model"), the contents are the categories.
_DIAGNOSTICS = r"(?:crash|error|bug|diagnostic) (?:reports?|logs?|data|dumps?)|diagnostics(?: data)?|performance (?:logs?|data)"
CONTAINER_PHRASE = re.compile(_DIAGNOSTICS, re.IGNORECASE)


def _data(name: str, expression: str, *categories: str, kind: str = KIND_SPECIFIC) -> DataTerm:
    return DataTerm(name, _words(expression), tuple(categories), kind)


_NOT_MESSAGES = r"(?!\s+(?:messages?|marketing|communications?|newsletters?|campaigns?|app|apps|client|preferences?|updates?|alerts?))"

#: Data-type phrases. Where two match overlapping text the longer one wins.
DATA_TERMS: tuple[DataTerm, ...] = (
    # -- contact
    _data("e-mail address", r"(?:e-?mail|electronic mail) address(?:es)?|e-?mail ids?", "user.contact.email"),
    _data(
        "e-mail",
        r"(?<=your )e-?mail"
        + _NOT_MESSAGES
        + r"|(?<=name and )e-?mail"
        + _NOT_MESSAGES
        + r"|(?<=name, )e-?mail"
        + _NOT_MESSAGES,
        "user.contact.email",
    ),
    _data(
        "phone number",
        r"(?:mobile |cell(?:ular)? |tele)?phone (?:numbers?|no\.?)|(?:mobile|cell|contact) numbers?"
        r"|(?<!on your )(?<!to your )(?<!from your )(?<!with your )(?<=your )(?:tele)?phone(?! calls?)",
        "user.contact.phone_number",
    ),
    _data(
        "postal address",
        r"(?:postal|mailing|shipping|billing|home|street|physical|residential|delivery|post) address(?:es)?"
        r"|(?<=your )address(?:es)?(?! book)",
        "user.contact.address",
    ),
    _data("country", r"(?<=, )country(?=,|;|\s+(?:and|or)\b|\s*\.?$)", "user.contact.address.country"),
    _data("postal code", r"(?:zip|postal|post) codes?|postcodes?", "user.contact.address.postal_code"),
    _data(
        "contact information",
        r"(?:related |personal )?contact (?:information|details|data|info)",
        "user.contact",
        kind=KIND_GENERIC,
    ),
    # -- names and accounts
    _data(
        "name",
        r"(?:first|last|full|given|family|middle|legal|real|maiden|cardholder's|cardholder’s)"
        r"(?: and (?:first|last|family|middle) )?\s*names?|(?<=your )names?|(?<=users' )names?"
        r"|(?<=user's )names?|(?:passenger|traveller|traveler|guest|patient|applicant|candidate|customer|member|rider|student)s?'? names?|(?<=their )names?|(?<=his )names?|(?<=her )names?|(?<=\ba )name|(?<=the )names?(?= and| or|,|;|\.|$)|^names?$|(?<=, )names?|(?<=: )names?|(?<=such as )names?|(?<=including )names?"
        r"|(?<=the )names? of (?:the |other |your |all )?(?:\w+ ){0,2}?(?:members?|users?|learners?|students?|people|persons?|customers?|guests?|passengers?|employees?|recipients?|contacts?)",
        "user.name",
    ),
    _data(
        "username",
        r"user ?names?|screen names?|display names?|player names?|gamer ?tags?|nicknames?",
        "user.account.username",
    ),
    _data(
        "password",
        r"passwords?|passphrases?|(?:login|log-in|sign-in|account) credentials|credentials"
        r"|security questions?(?: and answers)?",
        "user.authorization.credentials",
    ),
    _data(
        "user id",
        r"user ids?|(?:customer|member|player|user) (?:identifiers?|ids?|numbers?)|account (?:identifiers?|ids?)"
        r"|identification numbers?|unique personal identifiers?",
        "user.unique_id",
    ),
    _data(
        "account information",
        r"account (?:information|details|data)|(?:player|user|member|account) profiles?"
        r"|your (?:account|profile)(?: information)?(?! settings)",
        "user.account",
        kind=KIND_GENERIC,
    ),
    _data(
        "company name",
        r"(?:company|business|employer|organi[sz]ation) names?|names? of (?:your|their|the) (?:company|employer|organi[sz]ation|school|university|institution)|organi[sz]ational affiliation|workplace",
        "user.workplace",
    ),
    _data(
        "job title",
        r"job titles?|occupation|professional title|(?<=affiliation and )role"
        r"|(?:work|employment|job|career) histor(?:y|ies)|professional (?:experience|background|qualifications)",
        "user.job_title",
    ),
    # -- devices and online identifiers
    _data("ip address", r"(?:ip|internet protocol) address(?:es)?", "user.device.ip_address"),
    _data(
        "device identifier",
        r"(?:unique |mobile |anonymous )?device (?:identifiers?|ids?|identification numbers?)"
        r"|(?:mobile )?advertising (?:identifiers?|ids?)|ad ids?|idfa|idfv|gaid|aaid|google advertising id"
        r"|android (?:device )?ids?|imei(?: numbers?)?|mac address(?:es)?|(?:anonymous )?installation ids?"
        r"|install ids?|hardware (?:identifiers?|ids?)|(?:device )?serial numbers?"
        r"|vehicle identification numbers?|vins?",
        "user.device.device_id",
    ),
    _data(
        "cookie",
        r"cookie (?:identifiers?|ids?)|(?:other )?information (?:processed|collected|stored|set|read) by cookies"
        r"(?: and (?:other )?similar technologies)?"
        r"|cookies?(?: and (?:other )?similar (?:technologies|tracking technologies|tools))?"
        r"(?! (?:banner|policy|notice|preferences?|settings?|consent|choices?))",
        "user.device.cookie_id",
    ),
    _data(
        "online identifiers",
        r"online identifiers?",
        "user.device.ip_address",
        "user.device.cookie_id",
        kind=KIND_GENERIC,
    ),
    _data(
        "user agent",
        r"user[- ]agents?(?: strings?)?|browser (?:types?|versions?|names?|information)"
        r"|(?:the )?(?:types?|kinds?) of (?:device|browser|devices|browsers)|device (?:types?|models?)"
        r"|operating systems?(?: versions?)?|os versions?"
        r"|(?:phone|handset|device|computer|browser) (?:models?|makes?)|(?:app|application|firmware|software|browser) versions?",
        "user.device.user_agent",
    ),
    _data(
        "device information",
        r"device (?:information|data|details|attributes|characteristics)"
        r"|information about (?:your|the) (?:devices?|computer|browser)(?: you use)?|technical (?:information|data)",
        "user.device",
        kind=KIND_GENERIC,
    ),
    _data("diagnostic data", _DIAGNOSTICS, "user.device", kind=KIND_GENERIC),
    _data(
        "automatically collected information",
        r"(?:other )?(?:information|data) (?:collected|gathered|obtained) (?:by automated means|automatically|through automated means)"
        r"|automatically collected (?:information|data)",
        "user.device",
        "user.behavior.browsing_history",
        kind=KIND_GENERIC,
    ),
    # -- behaviour
    _data(
        "browsing history",
        r"browsing (?:history|activity|activities|data)|(?:the )?(?:web )?pages? (?:you|they|users) (?:visit|visited|view|viewed)"
        r"|(?:which )?links? (?:you|they|users) (?:clicked|click)(?: on)?|clickstream(?: data)?|click (?:history|data)"
        r"|referr?(?:ing|er) (?:urls?|pages?|websites?|sites?)|pages (?:visited|viewed)"
        r"|(?:information about )?(?:your |their )?(?:online|internet|web) activit(?:y|ies)",
        "user.behavior.browsing_history",
    ),
    _data(
        "media consumption",
        r"(?:viewing|listening|watch|watching|playback|streaming|reading) (?:history|activity|habits|data)"
        r"|(?:songs|music|videos|shows|films|movies|podcasts|programmes|programs|books|articles) (?:you|they|users) "
        r"(?:listen to|listened to|watch|watched|play|played|stream|streamed|read)",
        "user.behavior.media_consumption",
    ),
    _data("search history", r"search (?:history|queries|terms)", "user.behavior.search_history"),
    _data(
        "purchase history",
        r"(?:purchase|order) histor(?:y|ies)|(?:the )?(?:products?|items?) (?:you )?(?:bought|purchased)"
        r"|purchase receipts?|order (?:information|details)|items bought|in-app purchases?"
        r"|(?:booking|reservation|travel|itinerary) (?:details|histor(?:y|ies)|records?|information)|itinerar(?:y|ies)",
        "user.behavior.purchase_history",
    ),
    _data(
        "usage information",
        r"usage (?:data|information)|(?:gameplay|game ?play|in-game) (?:events|data|activity|history)"
        r"|information about how (?:you|players|users) use [\w ]{2,30}?(?=[,;.]|$| and)"
        r"|(?:the )?actions? (?:you take |taken )?in the (?:application|app|service)"
        r"|app (?:usage|activity)|product usage|(?:screen|app|usage|in-app|page|click|analytics) events"
        r"|(?:which |the )?screens (?:you|they|users|people) (?:open|view|visit)(?:ed)?|how long (?:you|they|users) (?:stay|spend)"
        r"|(?:quiz|test|exam|assessment) (?:answers|results|scores)|grades|courses (?:you|they|learners|students) (?:take|took|complete|completed|enrol\w*|attend\w*)"
        r"|(?:learning|course|training) (?:records?|progress|history|activity)|(?:heating|energy|usage|consumption|occupancy) (?:history|data|patterns?)"
        r"|driving (?:behaviou?r|data|history|habits|style|events|scores?)|progress (?:data|reports?)"
        r"|energy (?:use|usage|consumption)|(?:login|log-in|sign-in) (?:history|times|records?)",
        "user.behavior",
        kind=KIND_GENERIC,
    ),
    # -- location
    _data(
        "precise location",
        r"(?:precise|exact|gps) (?:geo)?location(?: data| information)?|gps(?: location| coordinates| data)?"
        r"|latitude(?: and longitude)?|location coordinates"
        r"|(?:pick-?up|drop-?off)(?: and (?:drop-?off|pick-?up))? (?:locations?|addresses|points?|places?)"
        r"|(?:vehicle|car|device) (?:position|location)",
        "user.location.precise",
    ),
    _data(
        "approximate location",
        r"(?:approximate|coarse|general|imprecise|city-level|rough) (?:geo)?location(?: data| information)?"
        r"|your country|country of residence|(?:roughly )?which city",
        "user.location.imprecise",
    ),
    _data(
        "location",
        r"(?:geo)?location (?:data|information|history)|geolocation|(?:physical|your) location",
        "user.location",
        kind=KIND_GENERIC,
    ),
    # -- demographic
    _data(
        "date of birth",
        r"dates? of birth|birth ?dates?|year of birth|birth year|birthdays?(?! (?:vouchers?|gifts?|discounts?|offers?|messages?|emails?|cards?))",
        "user.demographic.date_of_birth",
    ),
    _data("age", r"(?<!the )age(?: range)?(?! of)", "user.demographic.age_range"),
    _data("gender", r"gender|sex(?! offenders?)", "user.demographic.gender"),
    # -- government identifiers
    _data(
        "social security number",
        r"social security numbers?|ssns?|national (?:id|identification|identity) (?:numbers?|cards?)",
        "user.government_id.national_identification_number",
    ),
    _data(
        "passport number",
        r"passport(?: numbers?| details| information)?",
        "user.government_id.passport_number",
    ),
    _data(
        "driver's licence",
        r"driver'?s'? licen[cs]e(?: numbers?)?|driving licen[cs]e(?: numbers?)?|licen[cs]e (?:photos?|scans?|images?)",
        "user.government_id.drivers_license_number",
    ),
    _data(
        "vehicle registration",
        r"vehicle registration(?: numbers?| details| documents?)?|(?:licen[cs]e|number|registration) plates?",
        "user.government_id.vehicle_registration",
    ),
    _data(
        "government id",
        r"government[- ](?:issued )?(?:id|identification)(?: numbers?| cards?| documents?)?",
        "user.government_id",
    ),
    # -- financial
    _data(
        "payment card",
        r"(?:credit|debit|payment|bank) cards?(?: numbers?| details| information| data)?|(?:full )?card (?:numbers?|details)"
        r"|cvv|cvc|last four digits of (?:a|your) card|card payments?",
        "user.financial.credit_card",
    ),
    _data(
        "bank account",
        r"bank account(?: numbers?| details| information)?|iban|routing numbers?|(?:financial )?account numbers?",
        "user.financial.bank_account",
    ),
    _data(
        "financial information",
        r"(?:payment|billing|financial|banking) (?:information|details|data)|bank statements?"
        r"|transaction (?:histor(?:y|ies)|data|records?|details)|(?:your |bank |card )?transactions"
        r"|payment histor(?:y|ies)|account balances?|balances|credit (?:histor(?:y|ies)|scores?|reports?|ratings?|limits?)"
        r"|consumer reports?|(?:your |annual |household )income|salary|salaries|(?<=your )assets|(?<=income, )assets|(?<=income and )assets|financial assets",
        "user.financial",
        kind=KIND_GENERIC,
    ),
    # -- health and biometrics
    _data(
        "health information",
        r"health (?:data|information|records?|logs?|conditions?)|medical (?:information|data|records?|history|conditions?)"
        r"|symptoms?|medications?|diagnos[ie]s|heart[- ]rate(?: readings?| data)?|blood (?:pressure|glucose|sugar)"
        r"|(?:cycle|period|menstrual|fertility) (?:dates|data|information)|basal body temperature|moods?"
        r"|(?<=your )(?:steps|sleep)|disabilit(?:y|ies)|(?:accessibility|assistance|mobility|dietary) (?:needs|requirements)"
        r"|allerg(?:y|ies)|diagnosis codes?|prescriptions?|treatment (?:records?|history|notes)"
        r"|(?:psychotherapy|therapy|clinical|clinician's|doctor's) notes|(?:information|data|details) (?:about|on|concerning|regarding) (?:your|their) (?:health|medical)",
        "user.health_and_medical",
    ),
    _data(
        "insurance member id",
        r"(?:health )?insurance (?:member |policy |subscriber )?(?:ids?|numbers?|identifiers?|cards?)|health plan (?:ids?|numbers?)"
        r"|(?:medicare|medicaid) numbers?",
        "user.health_and_medical.insurance_beneficiary_id",
    ),
    _data("voiceprint", r"voice ?prints?|voice (?:biometrics|signatures?)", "user.biometric.voice"),
    _data(
        "fingerprint", r"fingerprints?(?! of (?:your|the) (?:device|browser))", "user.biometric.fingerprint"
    ),
    _data("retina scan", r"(?:retina|retinal|iris) (?:scans?|images?|patterns?)", "user.biometric.retinal"),
    _data(
        "biometric data",
        r"biometric (?:data|information|identifiers?|templates?)|face ?prints?|facial geometry"
        r"|(?:face|facial|fingerprint|voice) (?:templates?|scans?|recognition data)",
        "user.biometric",
    ),
    # -- content
    _data(
        "messages",
        r"(?:a copy of |copies of )?your (?:messages|communications|photos|posts|uploads)"
        r"|content (?:you|that you) (?:upload|post|share|create|provide)|messages you send(?: us)?"
        r"|(?:your |profile |the )?photos?(?! of)|your contacts|(?:your )?address book"
        r"|(?:the |your |support |chat )?conversations?(?= with| you| we|[,.;]|$)|chat (?:messages|logs|transcripts|history)"
        r"|(?:call |chat )?transcripts|(?:audio|voice|video|call|sound) recordings?|recordings of (?:your|the) (?:calls?|voice)"
        r"|voice (?:commands|messages|inputs?|queries|data)"
        r"|(?:video |audio |sound )?clips?|video (?:footage|recordings?)|(?:profile |account )?pictures?(?! of)"
        r"|(?:cvs?|résumés?|resumes?|curricul(?:um|a) vitae|cover letters?)"
        r"|(?:documents|files) (?:you|they|users) (?:upload|attach|send|share)|playlists?"
        r"|answers to (?:\w+ )?questions",
        "user.content",
    ),
    # -- everything the policy collects
    _data(
        "personal information",
        r"(?:your |their |the |such |any |all )?(?:“|\")?personal(?:ly identifiable)? (?:information|data)(?:”|\")?"
        r"|pii|(?:your|their) (?:information|data)|information (?:about|relating to|related to) (?:you|them)"
        r"|(?:user|player|subscriber|customer|visitor|member|consumer|applicant|candidate|patient|passenger|student)s?'? (?:information|data)"
        r"|the subscriber list|your details|all (?:the )?(?:data|information)(?: (?:listed |described )?above| we collect)?",
        kind=KIND_PERSONAL,
    ),
    _data("information", r"information|data|datum", kind=KIND_UNSPECIFIC),
    _data("anything", r"anything", kind=KIND_UNSPECIFIC),  # "we don't share anything with advertisers"
    _data(
        "de-identified data",
        r"(?:de-?identified|anonymi[sz]ed|anonymous|aggregated?|pseudonymi[sz]ed|statistical|non-personal)"
        r"(?:(?: and/or| and| or|,)? (?:de-?identified|anonymi[sz]ed|aggregated?|usage|analytics|cycle|\w+))?"
        r"(?: and (?:analytics|usage))? (?:data|information|statistics)",
        kind=KIND_EXCLUDED,
    ),
)


def _recipient(name: str, expression: str, role: str | None, *, named: bool = False) -> RecipientTerm:
    return RecipientTerm(name, _words(expression), role, named)


def _named(role: str, *names: str) -> tuple[RecipientTerm, ...]:
    # Company names are matched case-sensitively where a lower-case spelling is an ordinary word.
    return tuple(
        RecipientTerm(name, re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])"), role, True)
        for name in names
    )


#: Named third parties (longer names first) and recipient classes, with their roles.
RECIPIENT_TERMS: tuple[RecipientTerm, ...] = (
    *_named(
        "analytics",
        "Google Analytics",
        "Firebase Analytics",
        "Firebase",
        "GameAnalytics",
        "Mixpanel",
        "Amplitude",
        "Hotjar",
        "Adobe Analytics",
        "AppsFlyer",
        "Adjust",
        "Kochava",
        "Singular",
        "Heap",
        "Matomo",
        "Plausible",
        "FullStory",
        "Segment",
        "Chartbeat",
        "comScore",
        "Nielsen",
    ),
    *_named(
        "advertising",
        "Google Ads",
        "Google AdMob",
        "AdMob",
        "AdSense",
        "Google AdSense",
        "DoubleClick",
        "Meta",
        "Facebook",
        "Meta Pixel",
        "Facebook Pixel",
        "Unity Ads",
        "AppLovin",
        "ironSource",
        "Vungle",
        "Chartboost",
        "InMobi",
        "Liftoff",
        "Mintegral",
        "Criteo",
        "The Trade Desk",
        "Taboola",
        "Outbrain",
        "TikTok",
        "Snap",
        "Pinterest",
        "LinkedIn",
        "Microsoft Advertising",
        "Amazon Ads",
    ),
    *_named(
        "service_provider",
        "Stripe",
        "PayPal",
        "Braintree",
        "Adyen",
        "Square",
        "Amazon Web Services",
        "AWS",
        "Google Cloud",
        "Microsoft Azure",
        "Azure",
        "Hetzner",
        "Hetzner Online GmbH",
        "DigitalOcean",
        "Netlify",
        "Vercel",
        "Cloudflare",
        "Heroku",
        "Mailchimp",
        "SendGrid",
        "Postmark",
        "Mailgun",
        "Amazon SES",
        "Twilio",
        "Zendesk",
        "Intercom",
        "Freshdesk",
        "Help Scout",
        "Salesforce",
        "HubSpot",
        "Sentry",
        "Crashlytics",
        "Bugsnag",
        "Datadog",
        "New Relic",
        "Shopify",
        "Klaviyo",
        "DHL",
        "UPS",
        "FedEx",
        "USPS",
        "Royal Mail",
        "Okta",
        "Auth0",
        "App Store",
        "Google Play",
        "Plaid",
        "Onfido",
        "Jumio",
        "Veriff",
        "Trulioo",
        "Firebase Crashlytics",
        "Visa",
        "Mastercard",
        "American Express",
        "Mapbox",
        "Google Maps",
        "Amadeus",
        "Sabre",
        "Zoom",
        "Textkernel",
        "Brevo",
        "athenahealth",
    ),
    _recipient(
        "analytics providers",
        r"(?:(?:web|site|product|mobile|third[- ]party|our) )*analytics(?: service)? (?:providers?|partners?|companies|services|tools?|vendors?)"
        r"|measurement (?:partners?|providers?|companies)|attribution (?:partners?|providers?)",
        "analytics",
    ),
    _recipient(
        "advertisers",
        r"advertisers?|(?:third[- ]party |our )?advertising (?:partners?|networks?|companies|providers?|vendors?|sdks?|platforms?|services)"
        r"|ad (?:networks?|partners?|exchanges?|platforms?)|sponsors?",
        "advertising",
    ),
    _recipient("marketing partners", r"marketing (?:partners?|companies|agencies|vendors?)", "marketing"),
    _recipient("data brokers", r"data brokers?", "data_broker"),
    _recipient(
        "service providers",
        r"(?:third[- ]party |our |trusted )?(?:service providers?|vendors?|sub-?processors?|processors?|contractors|suppliers"
        r"|hosting (?:providers?|companies|services?)|cloud (?:hosting )?(?:providers?|services?)"
        r"|payment (?:processors?|providers?|service providers?)|(?:delivery|shipping) (?:partners?|companies|carriers?)"
        r"|carriers|couriers|e-?mail (?:service )?(?:providers?|vendors?)|customer (?:support|service) (?:providers?|vendors?)"
        r"|(?:[\w-]+ )?(?:assistance|support|fulfil?ment|logistics|technology|infrastructure|outsourcing) partners?)",
        "service_provider",
    ),
    _recipient(
        "law enforcement",
        r"law enforcement(?: agencies| authorities| officials)?|(?:government|governmental|public|regulatory|tax|judicial|competent) "
        r"(?:authorities|agencies|bodies|officials)|courts?|regulators?|(?:the )?authorities|police",
        "legal",
    ),
    _recipient(
        "affiliates",
        r"(?:our )?(?:affiliates|affiliated companies|subsidiaries|parent company|group companies|corporate family|sister companies)",
        "affiliate",
    ),
    _recipient(
        "buyer in a business transfer",
        r"(?:the )?(?:buyer|purchaser|acquirer|successor)s?|acquiring (?:company|entity)"
        r"|(?:in connection with|as part of) (?:a |any |such a |such |the )?(?:negotiation of (?:a |such |the )?)?"
        r"(?:merger|acquisition|transaction|sale of (?:company |the company's )?assets|reorganization|bankruptcy)",
        "business_transfer",
    ),
    _recipient(
        "professional advisers",
        r"(?:tax |legal |professional |financial )?advis[eo]rs?|auditors?|lawyers|attorneys",
        "professional_adviser",
    ),
    _recipient(
        "insurers",
        r"insurers?|(?:[\w-]+ )?insurance (?:companies|company|providers?|carriers?)|health (?:plans?|insurers?)",
        "insurer",
    ),
    _recipient("lenders", r"lenders?|(?:other )?credit providers?|loan providers?", "lender"),
    _recipient(
        "credit bureaus",
        r"credit (?:reference|reporting|rating) agenc(?:y|ies)|consumer reporting agenc(?:y|ies)|credit bureaus?",
        "credit_bureau",
    ),
    _recipient(
        "businesses in the service",
        r"(?:the |your |that )?(?:restaurants?|merchants?|sellers?|drivers?|instructors?|hosts?|landlords?"
        r"|retailers?|resellers?|distributors?|dealers?|dealerships?|airlines?|hotels?|(?:travel|tour) (?:suppliers?|operators?)"
        r"|car rental companies|venues?|event organi[sz]ers?|stores? you (?:shop|buy) (?:at|from)"
        r"|couriers?(?= (?:never |not |also |only )?(?:sees?|can|will|receives?|gets?)))|(?:your |that |the )?(?:energy|utility|power) compan(?:y|ies)",
        "partner",
    ),
    _recipient(
        "researchers",
        r"researchers?|research (?:partners?|institutions?)|universit(?:y|ies)(?: partners?)?",
        "research",
    ),
    _recipient(
        "the public",
        r"(?:the )?(?:general )?public(?! (?:health|authorit\w*|agenc\w*|bodies|body|interest|officials?|records?|sector))|other (?:[A-Z]?\w+ )?users(?: nearby)?|publicly",
        "public",
    ),
    _recipient(
        "pharmacies",
        r"pharmac(?:y|ies)|laborator(?:y|ies)|(?:other )?(?:doctors|physicians|hospitals|clinics)",
        "partner",
    ),
    _recipient(
        "recruiters",
        r"recruit(?:ment|ing) (?:agenc(?:y|ies)|firms?|consultants?|companies)|recruiters?|headhunters?|staffing (?:agenc(?:y|ies)|firms?)",
        "recruiter",
    ),
    _recipient("employers", r"employers|(?<=your )employer|(?<=the )employer", "employer"),
    _recipient("clients", r"our clients|(?:your|the|that) organi[sz]ation", "client"),
    _recipient("partners", r"(?:our |business |third[- ]party |trusted )?partners", "partner"),
    _recipient(
        "providers of a service",
        r"(?:(?!(?:to|with|by|of|for|from|and|or|our|the|your|their|its|a|an|any|all|other|such|these|those|this|that"
        r"|third|trusted|certain|some|external|outside|selected|approved)\b)[a-z][\w-]* ){1,2}(?:providers?|vendors?|processors?)",
        "service_provider",
    ),
    _recipient(
        "third parties",
        r"(?:other )?third[- ]part(?:y|ies)(?: companies| services| websites)?|other (?:people|companies|businesses)"
        r"|non-affiliated (?:businesses|companies|third parties)|anyone|anybody|others",
        None,
    ),
)

#: Words for the policy's author as a subject ("we", "our servers", "the app").
FIRST_PARTY = _words(
    r"we|us|our (?:company|servers?|systems?|website|site|apps?|application|services?|game|team|staff|platform|emails?)"
    r"|the (?:game|app|application|site|website|service|platform|pixel|newsletter)|this (?:website|site|app|game|service)"
)
#: Words for the people the policy is about, as a subject ("you", "users").
USER_SIDE = _words(
    r"you|users?|visitors?|consumers?|customers?|clients|members?|players?|subscribers?|patients?"
    r"|administrators?|an administrator|individuals?|parents?|guardians?|child|children|kids|minors"
    r"|students?|pupils?|learners?|teachers?|applicants?|candidates?|account ?holders?|cardholders?"
    r"|borrowers?|owners?|travell?ers?|passengers?|guests?|riders?|shoppers?|employees?|job seekers?"
)

LEGAL_PURPOSE = re.compile(
    r"compl(?:y|iance) with (?:the |applicable )?(?:law|legal|law enforcement)|required by law|legal (?:process|obligations?|requests?|proceedings?)"
    r"|legally (?:obliged|obligated|required|compelled)|subpoena|court order|law enforcement|when the law requires|a court orders",
    re.IGNORECASE,
)
BUSINESS_TRANSFER_CONTEXT = re.compile(
    r"merger|acquisition|is acquired|are acquired|sale of (?:the |our )?(?:company|studio|business|assets)|bankruptcy|asset transfers?",
    re.IGNORECASE,
)
MARKETING_PURPOSE = re.compile(
    r"for (?:their|its|his|her) (?:own )?(?:use in )?(?:direct )?marketing", re.IGNORECASE
)

#: A heading that says what its section is about: collection or sharing.
ACTION_HEADING = re.compile(
    r"\b(?:collect\w*|gather\w*|give us|you give|you provide|provide us|we (?:learn|receive|store|record)|the app store"
    r"|data we|information we|what (?:do )?(?:you|we) (?:collect|store|keep))\b",
    re.IGNORECASE,
)
SHARING_HEADING = re.compile(
    r"\b(?:shar\w*|disclos\w*|recipients?|transfers?|who (?:else )?(?:sees|gets|receives)|third[- ]part\w*|partners?)\b",
    re.IGNORECASE,
)
