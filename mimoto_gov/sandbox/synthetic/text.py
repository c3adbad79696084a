"""Text templates for the synthetic service-desk dataset.

Each support topic has ticket titles, a customer's opening message, agent replies, customer
follow-ups, internal notes and tags. Templates are ``str.format`` strings; the generator in
:mod:`mimoto_gov.sandbox.synthetic.dataset`
fills the fields listed in :data:`FIELDS` from seeded pools, so
bodies read like real support mail while staying cheap to produce in bulk.
"""

from __future__ import annotations

# Fields every template may use.
FIELDS = (
    "cust_first",
    "cust_name",
    "agent_first",
    "order",
    "invoice",
    "amount",
    "date",
    "product",
    "street",
    "city",
    "postcode",
)

PRODUCTS = (
    "Mimoto Sync",
    "Mimoto Sync Pro",
    "the desktop app",
    "the mobile app",
    "the team plan",
    "the reporting add-on",
    "the API",
)

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "login": {
        "titles": (
            "Cannot log in to my account",
            "Locked out after password reset",
            "Two-factor code not arriving",
        ),
        "openings": (
            "Hello,\n\nSince this morning I cannot log in to {product}. It says my password "
            "is wrong, but I reset it twice yesterday. Could you have a look?",
            "Hi there,\n\nI am locked out of my account. The reset email never arrives and "
            "I need to get at my files for a meeting on {date}.",
            "Good morning,\n\nThe two-factor text message is not reaching my phone, so I "
            "cannot sign in. I have not changed my number.",
        ),
        "tags": ("login", "password"),
    },
    "invoice": {
        "titles": (
            "Question about invoice {invoice}",
            "Invoice {invoice} charged twice",
            "VAT missing from invoice {invoice}",
        ),
        "openings": (
            "Dear Mimoto,\n\nOur invoice {invoice} shows {amount}, but our plan should cost "
            "less than that. Please can you explain the difference?",
            "Hello,\n\nWe appear to have been charged twice for invoice {invoice} "
            "({amount}). Please refund the duplicate payment.",
            "Hi,\n\nOur finance team needs the VAT number shown on invoice {invoice}. "
            "Could you reissue it?",
        ),
        "tags": ("billing", "invoice"),
    },
    "refund": {
        "titles": ("Refund for order {order}", "Request a refund", "Money back for {product}"),
        "openings": (
            "Hi,\n\nI would like a refund for order {order}. The product did not do what "
            "was advertised and I cancelled within 14 days.",
            "Hello,\n\nPlease refund {amount} for {product}. I was charged after I "
            "cancelled on {date}.",
        ),
        "tags": ("billing", "refund"),
    },
    "delivery": {
        "titles": ("Order {order} has not arrived", "Parcel missing", "Wrong item delivered"),
        "openings": (
            "Hello,\n\nMy order {order} was due on {date} and has still not arrived. "
            "The tracking page has not changed for a week.",
            "Hi,\n\nThe parcel for order {order} arrived damaged and the item inside is "
            "not the one I ordered.",
        ),
        "tags": ("delivery",),
    },
    "address": {
        "titles": ("Please update my address", "Change of billing address", "Moved house"),
        "openings": (
            "Hi,\n\nWe have moved. Please change our billing address to {street}, {city} "
            "{postcode} from {date}.",
            "Hello,\n\nCould you update the delivery address on my account to "
            "{street}, {city}, {postcode}? Thank you.",
        ),
        "tags": ("account",),
    },
    "cancel": {
        "titles": ("Cancel my subscription", "Close account", "Do not renew"),
        "openings": (
            "Hello,\n\nPlease cancel my subscription to {product} at the end of the "
            "current period. I will not need it after {date}.",
            "Hi,\n\nWe are closing the business, so please do not renew our plan and "
            "close the account.",
        ),
        "tags": ("cancellation",),
    },
    "bug": {
        "titles": (
            "Error when exporting reports",
            "{product} crashes on start-up",
            "Sync stuck at 99%",
        ),
        "openings": (
            "Hi team,\n\nWhen I export a report from {product} I get 'Unexpected error 500'. "
            "It started after the update on {date}. Screenshot attached.",
            "Hello,\n\n{product} closes itself a few seconds after opening. I have "
            "reinstalled it twice.",
            "Hi,\n\nMy files have been stuck at 99% for two days. Nothing new syncs.",
        ),
        "tags": ("bug",),
    },
    "feature": {
        "titles": ("Feature request: dark mode", "Suggestion for {product}", "Bulk export"),
        "openings": (
            "Hello,\n\nIt would be great if {product} had a dark mode. Many of our staff "
            "work late.",
            "Hi,\n\nCould you add a way to export all our projects at once? Doing it one "
            "by one takes hours.",
        ),
        "tags": ("feature-request",),
    },
    "privacy": {
        "titles": (
            "Please delete my account and data",
            "Copy of the data you hold about me",
            "Unsubscribe me from marketing",
        ),
        "openings": (
            "Hello,\n\nUnder data protection law I ask you to delete my account and all "
            "the personal data you hold about me.",
            "Dear Sir or Madam,\n\nPlease send me a copy of all the personal data you hold "
            "about me, as is my right under UK GDPR.",
            "Hi,\n\nPlease stop sending me marketing emails. I never asked for them.",
        ),
        "tags": ("gdpr",),
    },
    "payment": {
        "titles": ("Payment failed", "Card declined for renewal", "Direct debit problem"),
        "openings": (
            "Hi,\n\nMy renewal payment of {amount} failed on {date}. The card is valid "
            "and has funds.",
            "Hello,\n\nThe direct debit for our plan was refused. Our bank says nothing "
            "is wrong on their side.",
        ),
        "tags": ("billing", "payment"),
    },
    "complaint": {
        "titles": ("Complaint about support", "Very unhappy with the service", "No reply"),
        "openings": (
            "Hello,\n\nThis is the third time I have written about order {order} and "
            "nobody has replied. I am very disappointed.",
            "Dear Mimoto,\n\nThe outage on {date} cost us a full day of work. I would like "
            "to know what you will do about it.",
        ),
        "tags": ("complaint",),
    },
}

# Rights requests written in plain words, each planted in one ticket (kind, title, message):
# what ``requests candidates`` must find. The first is the subject persona's deletion request.
REQUEST_SCRIPTS = (
    (
        "erasure",
        "Please delete my account and data",
        "Hello,\n\nUnder data protection law I ask you to delete my account and all the "
        "personal data you hold about me.",
    ),
    (
        "access",
        "What do you hold about me?",
        "Hi,\n\nCould you please email me all the information you hold about me? I want to "
        "check what is on file before I renew.",
    ),
    (
        "rectification",
        "Wrong details on file",
        "Hello,\n\nThe details you have about me are inaccurate: my date of birth is wrong "
        "and my surname is misspelt. Please correct your records.",
    ),
    (
        "restriction",
        "Please hold off using my data",
        "Dear Mimoto,\n\nWhile my dispute about order {order} is open, please stop using my "
        "data until it is resolved.",
    ),
    (
        "portability",
        "Moving to another provider",
        "Hi,\n\nI am switching services. Please send me my personal data in a machine-"
        "readable format so I can import it elsewhere.",
    ),
    (
        "unsubscribe",
        "Too many emails",
        "Hello,\n\nPlease take me off your marketing list. I only want emails about my account.",
    ),
)

# Ordinary support that uses the same words as a rights request: what must NOT be raised.
DECOY_SCRIPTS = (
    (
        "Exporting invoices",
        "Hi,\n\nHow do I export my invoices? Our accountant needs all of them for {date}.",
    ),
    (
        "Delete old project",
        "Hello,\n\nPlease delete the duplicate project called 'Q3 test' from our workspace.",
    ),
    (
        "Copy of invoice {invoice}",
        "Hi,\n\nCould you send me a copy of invoice {invoice}? Finance lost the original.",
    ),
    (
        "Price increase",
        "Dear Mimoto,\n\nI object to the price increase announced last week. It is far too "
        "steep for a small charity like ours.",
    ),
    (
        "Contractor access",
        "Hi team,\n\nIs there a way to restrict access for our contractors to one folder?",
    ),
    (
        "Remove old card",
        "Hello,\n\nPlease remove the old card from my account and use the new one instead.",
    ),
)

AGENT_REPLIES = (
    "Hi {cust_first},\n\nThank you for getting in touch. I have looked into this and "
    "everything should now be sorted on our side. Please let me know if anything is still "
    "wrong.\n\nBest wishes,\n{agent_first}\nMimoto Support",
    "Dear {cust_first},\n\nSorry for the trouble. I have passed this to our specialist "
    "team and will update you as soon as I hear back, normally within two working days."
    "\n\nKind regards,\n{agent_first}\nMimoto Support",
    "Hello {cust_first},\n\nCould you send us a screenshot of what you see, and tell us "
    "which version of {product} you are using? That will help us find the cause.\n\n"
    "Thanks,\n{agent_first}\nMimoto Support",
    "Hi {cust_first},\n\nGood news: this has been fixed and you should see the change "
    "within the hour. I will close this ticket for now; just reply if you need us again."
    "\n\nAll the best,\n{agent_first}\nMimoto Support",
    "Dear {cust_first},\n\nI have refunded {amount} to the original payment method. It "
    "can take three to five working days to appear.\n\nKind regards,\n{agent_first}\n"
    "Mimoto Support",
)

CUSTOMER_FOLLOW_UPS = (
    "Thanks {agent_first}, that has worked.",
    "Hi {agent_first},\n\nI am afraid the problem is still there. I tried again this "
    "morning with the same result.",
    "Thank you for the quick reply. I have attached what you asked for.",
    "Hello,\n\nAny news on this? It has been a week now.",
    "Many thanks, all sorted. You can close the ticket.",
)

NOTES = (
    "Checked the account: last payment {amount} on {date}. Nothing unusual.",
    "Escalated to second line, waiting for engineering.",
    "Customer called, asked for an update. Promised a reply by tomorrow.",
    "Duplicate of an older ticket about order {order}; linked.",
    "Refund of {amount} approved by finance.",
    "Known issue after the {date} release, fix scheduled.",
)

PHONE_SUMMARIES = (
    "Customer phoned about order {order}. Explained the delay and promised an update.",
    "Call from {cust_name}: cannot log in. Walked them through a password reset.",
    "Phone call: asked about invoice {invoice} ({amount}). Will email a copy.",
    "Inbound call, customer upset about the outage on {date}. Logged the complaint.",
)

SYSTEM_REPLY = (
    "Thank you for contacting Mimoto Support. Your request has been received and a member "
    "of our team will reply within one working day. Please keep the ticket number in the "
    "subject when you reply."
)

CUSTOMER_SIGN_OFFS = ("Kind regards", "Thanks", "Best wishes", "Many thanks", "Regards", "Cheers")

# Sentences that carry personal data that should never have been written into a ticket.
PII_SENTENCES = {
    "card": "Please take the payment from my card {value}, expiry 09/27.",
    "ni": "My National Insurance number is {value} if you need it for the payroll export.",
    "iban": "Please send the refund to my account, IBAN {value}.",
    "phone": "You can call me on {value} during the day.",
    "postcode": "Our office postcode is {value}.",
}

ATTACHMENT_TEXTS = (
    "Error log\n=========\n2024-03-01 09:14:02 ERROR export failed: timeout\n"
    "2024-03-01 09:14:05 ERROR retry 1 failed\n",
    "Steps to reproduce:\n1. Open the app\n2. Click Export\n3. Wait\n",
    "Order details\nOrder: {order}\nAmount: {amount}\n",
)
