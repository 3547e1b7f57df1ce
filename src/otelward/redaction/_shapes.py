"""Token shapes (vendor credentials, JWTs) and personal data with a checksum (IBAN) or a format (phones).

Each shape is a bounded pattern anchored on boundary look-behinds; where the shape alone would over-match,
a precision rule decides (named next to the pattern): random-looking letters for letter-only tokens,
base64 that decodes to JSON for JWT-like strings, the ISO 13616 checksum and length per country for IBANs.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re

__all__ = [
    "IBAN",
    "JWT",
    "PHONE",
    "VENDOR",
    "VENDOR_TRIGGER",
    "iban_ok",
    "jwt_ok",
    "phone_ok",
    "vendor_ok",
]

# Vendor tokens, by family (gitleaks' rule ids in brackets where the shape comes from its rule set).
_FAMILIES = (
    r"gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\w{22,255}",  # GitHub [github-*]
    # GitLab: PAT, deploy, runner, CI job, feed, incoming mail, agent, OAuth, SCIM, feature-flag, trigger
    r"gl(?:pat|dt|rt|ptt|cbt|soat|ft|ffct|imt|agent|oas)-[\w-]{20,300}(?:\.[0-9a-z]{2,12})?",
    r"GR1348941[\w-]{20,64}",  # GitLab runner registration token [gitlab-rrt]
    r"(?:xoxe\.)?(?i:xox)[abposreABPOSRE]-[A-Za-z0-9-]{8,255}|xapp-\d-[A-Za-z0-9-]{10,255}",  # Slack [slack-*]
    r"(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9]{20,255}",  # Stripe
    r"AIza[\w-]{35}|ya29\.[\w.-]{20,2048}|GOCSPX-[\w-]{20,255}",  # Google
    r"sk-[\w-]{20,255}",  # OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-), Anthropic (sk-ant-...)
    r"(?i:npm_)[A-Za-z0-9]{36}|pypi-[\w-]{50,1024}",  # npm, PyPI
    r"hf_[A-Za-z]{30,40}|api_org_[A-Za-z]{30,40}",  # Hugging Face (precision: random-looking letters)
    r"SG\.[\w=.-]{60,70}",  # SendGrid
    r"SK[0-9a-fA-F]{32}",  # Twilio API key SID
    r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",  # Shopify
    r"[0-9a-f]{32}-us\d{1,2}",  # Mailchimp
    r"\d{5,16}:A[\w-]{34}",  # Telegram bot
    r"[\w~.]{3}\dQ~[\w~.-]{31,34}",  # Azure AD client secret [azure-ad-client-secret]
    r"ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[\w+/=%.-]{0,4096}",  # AWS Bedrock
)
VENDOR = re.compile(
    r"(?<![\w~.-])(?:" + "|".join(_FAMILIES) + r")(?![\w~-])"
    r"|hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/]{20,255})"
    r"|discord(?:app)?\.com/api/webhooks/(\d{5,32}/[\w-]{20,255})"
    # Azure storage / Service Bus connection strings: the key after AccountKey= / SharedAccessKey=
    r"|(?:Account|SharedAccess)Key=([A-Za-z0-9+/]{20,1024}={0,2})"
    r"|/bot(\d{5,16}:A[\w-]{34})(?![\w-])"  # Telegram bot token in an api.telegram.org URL
    # Discord bot token: base64 of a numeric user id (so M, N or O first) . timestamp . HMAC; found
    # inside longer runs too, like detect-secrets does
    r"|([MNO][A-Za-z0-9_-]{23,25}\.[\w-]{6}\.[\w-]{27,38})(?![\w-])"
)
VENDOR_TRIGGER = re.compile(
    r"gh[pousr]_|github_pat_|gl[a-z]{1,5}-|GR1348941|(?i:xox)|xapp-|_live_|_test_|_prod_|whsec_|AIza|ya29\.|GOCSPX-"
    r"|sk-|(?i:npm_)|hf_|api_org_|pypi-|SG\.|SK[0-9a-fA-F]|shp[a-z]{2}_|-us\d|:A|\.[\w-]{6}\.|Q~|ABSK|bedrock-"
    r"|hooks\.slack|/webhooks/|Key=|/bot|\.[\w-]{6}\."
)


_LOWER_RUN = re.compile(r"[a-z]{5,}")


def _random_letters(token: str) -> bool:
    """Letter-only tokens must not read like a camelCase identifier (``hf_reloadDataPreserving…``).

    An identifier has long lowercase runs, few adjacent capitals and English's share of vowels; random
    letters rarely have all three (under 0.1% of 34-letter tokens).
    """
    body = token[3:] if token.startswith("hf_") else token[8:]
    caps = sum(1 for a, b in itertools.pairwise(body) if a.isupper() and b.isupper())
    vowels = sum(c in "aeiouAEIOU" for c in body)
    return not (caps <= 2 and _LOWER_RUN.search(body) is not None and vowels >= 0.33 * len(body))


def _discord_ok(token: str) -> bool:
    last = token.rpartition(".")[2]
    # The last part is an HMAC: mixed case.
    return any(c.isupper() for c in last) and any(c.islower() for c in last)


def _mixed_hex(token: str) -> bool:
    return any(c.isdigit() for c in token[2:]) and any(c.isalpha() for c in token[2:])


_PREFIX = re.compile(r"(?:xoxe\.)?[A-Za-z0-9]{1,10}?[_-](?:\d[_-])?")
_REPEAT = re.compile(r"(.)\1{9,}")
_CHUNK_WORD = re.compile(r"[a-z]{4,}|[A-Z][a-z]{3,}")
_NO_DIGIT_WORDY = re.compile(r"[a-z]{5,}")


def placeholder_token(token: str, wordy: bool = True) -> bool:
    """Return True for documentation placeholders in a token's shape (``ghp_xxxx…``, ``xoxb-12345-abcd``,
    ``sk-ant-api03-abc123xyz-…``, ``xoxe.xoxp-1-RANDOMSTRINGHERE``, ``AKIA…EXAMPLE``).

    ``wordy=False`` for alphabets without digits by design (AWS key ids, Hugging Face tokens).
    """
    m = _PREFIX.match(token)
    body = token[m.end() :] if m else token
    if len(body) < 6 or len(set(body)) < min(8, len(body) // 2) or "EXAMPLE" in body:
        return True
    repeat = _REPEAT.search(body)
    if len(set(body[-20:])) < 6 or (repeat is not None and len(repeat.group()) >= 0.3 * len(body)):
        return True  # GR1348941XXXXXXXX…, glc_1111111111…, …-####################
    seq = runs = 0
    run = 1
    for a, b in itertools.pairwise(body):
        if ord(b) - ord(a) == 1:
            run += 1
            continue
        if run >= 4:
            seq += run
            runs += 1
        run = 1
    if run >= 4:
        seq += run
        runs += 1
    if seq >= 0.3 * len(body) or runs >= 3:
        return True
    if not wordy:
        return False
    if sum(1 for c in re.split(r"[_.~-]", body) if _CHUNK_WORD.fullmatch(c)) >= 2:
        return True  # "my-tokens_are-correct", "PREfix_helloworld380_testin_pretty_long"
    if any(c.isdigit() for c in body):
        return False
    # No digit at all and reads like words: "RANDOMSTRINGHERE", "SlackAppConfigurationAccessTokenHere"
    letters = "".join(c for c in body if c.isalpha())
    vowels = sum(c in "aeiouAEIOU" for c in letters)
    caps = sum(1 for a, b in itertools.pairwise(letters) if a.isupper() and b.isupper())
    wordy_case = letters.isupper() or (caps <= 2 and _NO_DIGIT_WORDY.search(body) is not None)
    return wordy_case and vowels >= 0.3 * max(1, len(letters))


def vendor_ok(token: str) -> bool:
    """Return False for a shape match that a precision rule rejects."""
    if token.startswith(("hf_", "api_org_")):
        return _random_letters(token) and not placeholder_token(token, wordy=False)
    if placeholder_token(token):
        return False
    if token.startswith("SK") and "-" not in token:
        return _mixed_hex(token)
    if token[:1] in "MNO" and token.count(".") == 2:
        return _discord_ok(token)
    return True


# JWTs: eyJ… header, or any two base64url segments starting with "ey" (both JSON objects), or a header
# that decodes to a JSON object (precision rule for headers not written {" …).
JWT = re.compile(
    r"(?<![A-Za-z0-9_-])(e[wy][A-Za-z0-9_-]{8,4096})\.([A-Za-z0-9_/\\-]{8,8192})(?:\.([A-Za-z0-9_/\\-]{0,4096}={0,2}))?"
    r"(?![A-Za-z0-9_-])"
)


def jwt_ok(header: str, payload: str, signature: str | None) -> bool:
    """Return True when the segments look like a JSON Web Token."""
    if header.startswith("eyJ") and signature is not None:
        return True
    if header.startswith("ey") and payload.startswith("ey"):
        return True
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except (binascii.Error, ValueError):
        return False
    return decoded.lstrip()[:1] == b"{" and b'"alg"' in decoded


# IBAN: country code, check digits, 11-30 alphanumerics, optionally in groups of four.
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21, "CY": 28,
    "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23,
    "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "KW": 30, "KZ": 20,
    "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "ME": 22, "MK": 19, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_ok(raw: str) -> bool:
    """Return True when ``raw`` has its country's length and passes the ISO 13616 mod-97 check."""
    iban = raw.replace(" ", "")
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# Phones (opt-in): E.164 with a +, or national formats with separators (US (415) 555-0100, 415-555-0100,
# UK 020 7946 0958, FR 01 23 45 67 89). A bare run of digits is never taken for a phone.
PHONE = re.compile(
    r"(?<![\w+.-])(?:\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4}|0\d{2,4} \d{3,4} \d{3,4}|0\d(?: \d\d){4})"
    r"(?![\w.-]|:\d)"
)


def phone_ok(raw: str) -> bool:
    """Return True for 8-15 digits (E.164's range) that are not a date or a version written with dots."""
    digits = sum(c.isdigit() for c in raw)
    return 8 <= digits <= 15 and not re.fullmatch(r"\d{4}[.-]\d{2}[.-]\d{2}", raw)
