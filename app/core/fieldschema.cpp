#include "fieldschema.h"

#include "jsonscan.h"

#include <QDate>
#include <QLocale>
#include <QSet>
#include <QtEndian>

#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

const char *const kTypeNames[] = {"",          "integer", "real",   "boolean", "text",
                                  "timestamp", "date",    "object", "array"};

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool digits(QByteArrayView s, qsizetype from, qsizetype count)
{
    if (from + count > s.size())
        return false;
    for (qsizetype i = from; i < from + count; ++i) {
        if (!isDigit(s[i]))
            return false;
    }
    return true;
}

int twoDigits(QByteArrayView s, qsizetype at)
{
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// "2024-12-01" -> Date; "2024-12-01T10:00:00Z", "2024-12-01 10:00", with seconds, fractions and an offset
// -> Timestamp; anything else -> Text.
ValueKind isoKind(QByteArrayView s)
{
    if (s.size() < 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
        !digits(s, 8, 2))
        return ValueKind::Text;
    // A real calendar day ("2024-02-30" is text): SQLite's date functions would pass it through unchecked.
    const int year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
    if (!QDate::isValid(year, twoDigits(s, 5), twoDigits(s, 8)))
        return ValueKind::Text;
    if (s.size() == 10)
        return ValueKind::Date;
    if ((s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2) || s.size() < 16 || s[13] != ':' ||
        !digits(s, 14, 2) || twoDigits(s, 11) > 23 || twoDigits(s, 14) > 59)
        return ValueKind::Text;
    qsizetype i = 16;
    if (i < s.size() && s[i] == ':') {
        if (!digits(s, i + 1, 2) || twoDigits(s, i + 1) > 59)
            return ValueKind::Text;
        i += 3;
        if (i < s.size() && s[i] == '.') {
            ++i;
            const qsizetype start = i;
            while (i < s.size() && isDigit(s[i]))
                ++i;
            if (i == start)
                return ValueKind::Text;
        }
    }
    if (i == s.size())
        return ValueKind::Timestamp;
    if (s[i] == 'Z' && i + 1 == s.size())
        return ValueKind::Timestamp;
    if (s[i] == '+' || s[i] == '-') {
        const QByteArrayView zone = s.sliced(i + 1);
        // Only ±HH:MM: SQLite's strftime() (the typed views) reads no other offset form.
        if (zone.size() == 5 && digits(zone, 0, 2) && zone[2] == ':' && digits(zone, 3, 2))
            return ValueKind::Timestamp;
    }
    return ValueKind::Text;
}

// "15", "-3", "0" -> Integer; "1.99", "1e3", "-0.5" -> Real; "007", "1.", "+5", "1,5" -> Text.
ValueKind numberKind(QByteArrayView s)
{
    qsizetype i = s.startsWith('-') ? 1 : 0;
    const qsizetype intStart = i;
    while (i < s.size() && isDigit(s[i]))
        ++i;
    const qsizetype intDigits = i - intStart;
    if (intDigits == 0 || (intDigits > 1 && s[intStart] == '0'))
        return ValueKind::Text;
    bool real = false;
    if (i < s.size() && s[i] == '.') {
        const qsizetype start = ++i;
        while (i < s.size() && isDigit(s[i]))
            ++i;
        if (i == start)
            return ValueKind::Text;
        real = true;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        const qsizetype start = i;
        while (i < s.size() && isDigit(s[i]))
            ++i;
        if (i == start)
            return ValueKind::Text;
        real = true;
    }
    if (i != s.size())
        return ValueKind::Text;
    // Past 18 digits an integer may not fit 64 bits: keep such ids as text rather than round them.
    if (!real && intDigits > 18)
        return ValueKind::Text;
    return real ? ValueKind::Real : ValueKind::Integer;
}

// A JSON string's text (between its quotes) is text unless it spells an ISO date; the cheap test on its first
// bytes comes first.
ValueKind stringKind(QByteArrayView inner)
{
    return inner.size() >= 10 && isDigit(inner[0]) && inner[4] == '-' ? isoKind(inner) : ValueKind::Text;
}

bool equalsNoCase(QByteArrayView s, const char *word)
{
    return s.compare(QByteArrayView(word), Qt::CaseInsensitive) == 0;
}

constexpr QChar kSeparator = QLatin1Char('\t'); // between path segments: never part of a field name
} // namespace

QString fieldTypeName(FieldType type)
{
    return QString::fromLatin1(kTypeNames[int(type)]);
}

FieldType fieldTypeFromName(const QString &name, bool *ok)
{
    for (int i = 1; i < int(std::size(kTypeNames)); ++i) {
        if (name == QLatin1String(kTypeNames[i])) {
            if (ok)
                *ok = true;
            return FieldType(i);
        }
    }
    if (ok)
        *ok = false;
    return FieldType::Unknown;
}

bool isNumeric(FieldType type)
{
    return type == FieldType::Integer || type == FieldType::Real;
}

ValueKind classifyText(QByteArrayView text)
{
    if (text.isEmpty())
        return ValueKind::Null; // an empty cell is no value, never 0 or ""
    if (equalsNoCase(text, "true") || equalsNoCase(text, "false"))
        return ValueKind::Boolean;
    const char first = text.front();
    if (isDigit(first) || first == '-') {
        const ValueKind number = numberKind(text);
        if (number != ValueKind::Text)
            return number;
        return isoKind(text);
    }
    return ValueKind::Text;
}

ValueKind classifyValue(QByteArrayView raw, bool textValues)
{
    if (raw.isEmpty())
        return ValueKind::Null;
    switch (raw.front()) {
    case 'n':
        return ValueKind::Null;
    case 't':
    case 'f':
        return ValueKind::Boolean;
    case '{':
        return ValueKind::Object;
    case '[': {
        qsizetype i = 1;
        while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\n' || raw[i] == '\r' || raw[i] == '\t'))
            ++i;
        return i < raw.size() && raw[i] == '{' ? ValueKind::ObjectArray : ValueKind::Array;
    }
    case '"': {
        const QByteArrayView inner = raw.sliced(1, raw.size() - 2);
        if (textValues)
            return classifyText(inner.contains('\\') ? QByteArrayView(JsonScan::keyText(raw)) : inner);
        return stringKind(inner);
    }
    default:
        return raw.contains('.') || raw.contains('e') || raw.contains('E') ? ValueKind::Real
                                                                           : ValueKind::Integer;
    }
}

qint64 FieldCounts::total() const
{
    qint64 sum = 0;
    for (qint64 v : n)
        sum += v;
    return sum;
}

void FieldCounts::add(const FieldCounts &other)
{
    for (size_t i = 0; i < n.size(); ++i)
        n[i] += other.n[i];
    largestInteger = qMax(largestInteger, other.largestInteger);
}

QJsonArray FieldCounts::toJson() const
{
    QJsonArray array;
    for (qint64 v : n)
        array.append(v);
    array.append(largestInteger);
    return array;
}

QString FieldCounts::toText() const
{
    // Written once per field per commit: digits into one buffer, no JSON document.
    char buffer[(kValueKinds + 1) * 21 + 1]; // '[', then each number (20 digits at most) and ',' or ']'
    char *const end = buffer + sizeof buffer;
    char *out = buffer;
    *out++ = '[';
    for (size_t i = 0; i <= n.size() && out < end; ++i) {
        out = std::to_chars(out, end, i < n.size() ? n[i] : largestInteger).ptr;
        if (out < end)
            *out++ = i < n.size() ? ',' : ']';
    }
    return QString::fromLatin1(buffer, out - buffer);
}

FieldCounts FieldCounts::fromJson(const QJsonArray &array)
{
    FieldCounts counts;
    for (int i = 0; i < kValueKinds && i < array.size(); ++i)
        counts.n[size_t(i)] = array.at(i).toInteger();
    counts.largestInteger = array.at(kValueKinds).toInteger();
    return counts;
}

FieldType FieldStats::type() const
{
    if (declared != FieldType::Unknown)
        return declared;
    const qint64 values = counts.nonNull();
    const auto only = [&](std::initializer_list<ValueKind> kinds) {
        qint64 sum = 0;
        for (ValueKind kind : kinds)
            sum += counts[kind];
        return sum == values;
    };
    if (values == 0)
        return FieldType::Unknown;
    if (only({ValueKind::Integer}))
        return FieldType::Integer;
    if (only({ValueKind::Integer, ValueKind::Real}))
        return FieldType::Real;
    if (only({ValueKind::Boolean}))
        return FieldType::Boolean;
    if (only({ValueKind::Date}))
        return FieldType::Date;
    if (only({ValueKind::Date, ValueKind::Timestamp}))
        return FieldType::Timestamp;
    if (only({ValueKind::Object}))
        return FieldType::Object;
    if (only({ValueKind::Array, ValueKind::ObjectArray}))
        return FieldType::Array;
    return FieldType::Text;
}

qint64 FieldStats::misfits() const
{
    const qint64 values = counts.nonNull();
    const qint64 numbers = counts[ValueKind::Integer] + counts[ValueKind::Real];
    switch (type()) {
    case FieldType::Unknown:
        return 0;
    case FieldType::Integer:
        return values - counts[ValueKind::Integer];
    case FieldType::Real:
        return values - numbers;
    case FieldType::Boolean:
        return values - counts[ValueKind::Boolean];
    case FieldType::Timestamp: // ISO text, or Unix seconds/milliseconds where declared
        return values - counts[ValueKind::Timestamp] - counts[ValueKind::Date] -
               (declared == FieldType::Timestamp ? numbers : 0);
    case FieldType::Date:
        return values - counts[ValueKind::Date] - counts[ValueKind::Timestamp];
    case FieldType::Text:
        return declared == FieldType::Text ? 0 : values - counts[ValueKind::Text];
    case FieldType::Object:
        return values - counts[ValueKind::Object];
    case FieldType::Array:
        return values - counts[ValueKind::Array] - counts[ValueKind::ObjectArray];
    }
    return 0;
}

QString FieldStats::summary() const
{
    const QLocale locale;
    const FieldType t = type();
    return QStringLiteral("%1%2: %3 values, %4 null, %5 did not fit")
        .arg(t == FieldType::Unknown ? QStringLiteral("no values yet") : fieldTypeName(t),
             declared != FieldType::Unknown ? QStringLiteral(" (declared by the connector)") : QString(),
             locale.toString(counts.total()), locale.toString(counts[ValueKind::Null]),
             locale.toString(misfits()));
}

namespace {

qsizetype skipWs(QByteArrayView json, qsizetype p)
{
    // Most pages have no whitespace between tokens: one comparison tells.
    while (p < json.size() && uchar(json[p]) <= ' ' &&
           (json[p] == ' ' || json[p] == '\n' || json[p] == '\r' || json[p] == '\t'))
        ++p;
    return p;
}

} // namespace

SchemaObserver::SchemaObserver(const SchemaHints &hints)
    : m_hints(hints)
{
    reset();
}

void SchemaObserver::reset()
{
    m_slots = {Slot{}};
    m_fields.clear();
    m_counts.clear();
}

namespace {
// A name's first eight bytes as one number (zero past its end): one load where the page has the bytes.
quint64 nameHead(QByteArrayView name, const char *pageEnd)
{
    const qsizetype size = name.size();
    if (name.data() + 8 <= pageEnd) {
        const quint64 head = qFromLittleEndian<quint64>(name.data());
        return size >= 8 ? head : head & ((quint64(1) << (8 * size)) - 1);
    }
    quint64 head = 0;
    for (qsizetype i = 0; i < qMin<qsizetype>(size, 8); ++i)
        head |= quint64(uchar(name[i])) << (8 * i);
    return head;
}

bool sameName(const QByteArray &known, quint64 knownHead, QByteArrayView name, quint64 head)
{
    if (knownHead != head || known.size() != name.size())
        return false;
    const char *x = known.constData();
    const char *y = name.data();
    for (qsizetype i = 8; i < name.size(); ++i) {
        if (x[i] != y[i])
            return false;
    }
    return true;
}

// `p` just past a name's opening quote: its closing quote, or -1 for a name with an escape or a tab (those
// stay in _json only). Sixteen bytes at a time where SSE2 is there, as the scanner skips strings.
qsizetype plainNameEnd(const char *s, qsizetype p, qsizetype n)
{
#if defined(__SSE2__)
    while (p + 16 <= n) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + p));
        const int mask =
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"')),
                                                        _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))),
                                           _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\t'))));
        if (mask != 0) {
            p += __builtin_ctz(unsigned(mask));
            return s[p] == '"' ? p : -1;
        }
        p += 16;
    }
#endif
    for (; p < n; ++p) {
        if (s[p] == '"')
            return p;
        if (s[p] == '\\' || s[p] == '\t')
            return -1;
    }
    return -1;
}
} // namespace

int SchemaObserver::field(int slot, QByteArrayView name, quint64 head, int *cursor)
{
    // Records of one API list their fields in the same order: the member after the last one matched is
    // almost always the next one asked for, so a lookup is one comparison.
    const QList<Child> &children = std::as_const(m_slots)[slot].children;
    const int size = int(children.size());
    if (*cursor < size) {
        const Child &next = children[*cursor];
        if (sameName(next.name, next.head, name, head))
            return children[(*cursor)++].field;
    }
    for (int at = 0; at < size; ++at) {
        if (sameName(children[at].name, children[at].head, name, head)) {
            *cursor = at + 1;
            return children[at].field;
        }
    }
    // Twice the bound in all, since take() starts again once the bound is passed.
    if (m_fields.size() >= 2 * kMaxFields)
        return -1;
    const int index = int(m_fields.size());
    FieldStats stats;
    stats.path = m_slots[slot].prefix + QString::fromUtf8(name);
    stats.position = index;
    stats.declared = m_hints.declared.value(stats.path, FieldType::Unknown);
    m_fields.append(stats);
    m_counts.emplace_back();
    // Two child slots per field: the members of its objects, and the members of its array's objects.
    const QString path = stats.path;
    m_slots.append(Slot{path + kSeparator, {}});
    m_slots.append(Slot{path + kSeparator + QStringLiteral("[]") + kSeparator, {}});
    m_slots[slot].children.append(Child{head, name.toByteArray(), index});
    *cursor = int(m_slots[slot].children.size());
    return index;
}

void SchemaObserver::countNumber(int index, QByteArrayView raw)
{
    // One pass: a fraction or exponent makes it real; else the digits give the magnitude (Unix seconds or
    // milliseconds?).
    qint64 value = 0;
    for (const char c : raw) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + (c - '0');
        } else if (c == '.' || c == 'e' || c == 'E') {
            count(index, ValueKind::Real);
            return;
        }
    }
    FieldCounts &counts = m_counts[size_t(index)];
    ++counts.n[size_t(ValueKind::Integer)];
    counts.largestInteger = qMax(counts.largestInteger, value);
}

// Walks the object starting at `json[p]` and returns the position after it (-1 when malformed), counting
// each member's value. Allocates nothing on the way: this runs for every value of every record synced.
qsizetype SchemaObserver::observeObject(QByteArrayView json, qsizetype p, int slot, int depth)
{
    const qsizetype n = json.size();
    const char *s = json.data();
    if (p >= n || s[p] != '{')
        return -1;
    int cursor = 0;
    p = skipWs(json, p + 1);
    while (p < n && s[p] == '"') {
        // Names are short and seldom escaped: read up to the closing quote. An escaped name, or one with a
        // tab (the paths' separator), stays in _json only and is skipped by the scanner.
        const qsizetype close = plainNameEnd(s, p + 1, n);
        const bool plain = close >= 0;
        const qsizetype nameEnd = plain ? close + 1 : JsonScan::skipValue(json, p);
        if (nameEnd < 0)
            return -1;
        const QByteArrayView name = json.sliced(p + 1, nameEnd - p - 2);
        p = skipWs(json, nameEnd);
        if (p >= n || s[p] != ':')
            return -1;
        const qsizetype start = skipWs(json, p + 1);
        const int index = plain ? field(slot, name, nameHead(name, s + n), &cursor) : -1;
        qsizetype end = index >= 0 && !m_hints.textValues ? observeScalar(json, start, index) : kNotScalar;
        if (end != kNotScalar) {
            // counted as it was read
        } else if (index >= 0 && start < n && s[start] == '{' && depth < 2) {
            // Objects flatten to depth 2: their members are walked once, here, not skipped and walked again.
            count(index, ValueKind::Object);
            end = observeObject(json, start, 1 + 2 * index, depth + 1);
        } else {
            end = JsonScan::skipValue(json, start);
            if (end >= 0 && index >= 0)
                observeValue(json.sliced(start, end - start), index, depth);
        }
        if (end < 0)
            return -1;
        p = skipWs(json, end);
        if (p < n && s[p] == ',')
            p = skipWs(json, p + 1);
    }
    return p < n && s[p] == '}' ? p + 1 : -1;
}

qsizetype SchemaObserver::observeScalar(QByteArrayView json, qsizetype p, int index)
{
    // The values most records are made of, read and counted in one pass (skipping them first and reading
    // them again cost as much as the rest of the walk).
    const qsizetype n = json.size();
    const char *s = json.data();
    if (p >= n)
        return -1;
    const char first = s[p];
    qsizetype q = p + 1;
    if (first == '"') { // the scanner's string skip is the fastest there is
        const qsizetype end = JsonScan::skipValue(json, p);
        if (end < 0)
            return -1;
        count(index, stringKind(json.sliced(p + 1, end - p - 2)));
        return end;
    }
    if (first == '-' || isDigit(first)) {
        while (q < n &&
               (isDigit(s[q]) || s[q] == '.' || s[q] == 'e' || s[q] == 'E' || s[q] == '+' || s[q] == '-'))
            ++q;
        countNumber(index, json.sliced(p, q - p));
        return q;
    }
    if (first == 't' || first == 'f' || first == 'n') {
        while (q < n && s[q] >= 'a' && s[q] <= 'z')
            ++q;
        count(index, first == 'n' ? ValueKind::Null : ValueKind::Boolean);
        return q;
    }
    return kNotScalar; // an object or array
}

void SchemaObserver::observeValue(QByteArrayView value, int index, int depth)
{
    // Objects past depth 2, arrays, and every value of a CSV (observeScalar reads the other JSON scalars).
    const ValueKind kind = classifyValue(value, m_hints.textValues);
    if (kind == ValueKind::Integer) // its digits (between quotes, in a CSV cell) give the magnitude
        countNumber(index, value);
    else
        count(index, kind);
    // Arrays of objects up to depth 2 get a child view of their elements.
    if (kind == ValueKind::ObjectArray && depth <= 2) {
        for (QByteArrayView element : JsonScan::elements(value)) {
            if (element.startsWith('{'))
                observeObject(element, 0, 2 + 2 * index, 3); // an element's own members only
        }
    }
}

void SchemaObserver::observe(QByteArrayView recordJson)
{
    observeObject(recordJson, skipWs(recordJson, 0), 0, 1);
}

QList<FieldStats> SchemaObserver::take()
{
    QList<FieldStats> seen;
    for (qsizetype i = 0; i < m_fields.size(); ++i) {
        if (m_counts[size_t(i)].total() == 0)
            continue;
        seen.append(m_fields.at(i));
        seen.last().counts = std::exchange(m_counts[size_t(i)], FieldCounts());
    }
    if (m_fields.size() > kMaxFields)
        reset();
    return seen;
}

void mergeFieldStats(QList<FieldStats> &kept, const QList<FieldStats> &more)
{
    QHash<QString, int> index;
    for (int i = 0; i < kept.size(); ++i)
        index.insert(kept.at(i).path, i);
    for (const FieldStats &stats : more) {
        const auto it = index.constFind(stats.path);
        if (it != index.cend()) {
            kept[*it].counts.add(stats.counts);
            if (stats.declared != FieldType::Unknown)
                kept[*it].declared = stats.declared;
            continue;
        }
        FieldStats added = stats;
        added.position = kept.isEmpty() ? 0 : kept.constLast().position + 1;
        index.insert(added.path, int(kept.size()));
        kept.append(added);
    }
}

namespace FieldSql {

QStringList segments(const QString &path)
{
    return path.split(kSeparator);
}

QString jsonPath(const QStringList &segments)
{
    QString path = QStringLiteral("$");
    for (const QString &segment : segments) {
        QString escaped = segment;
        escaped.replace(QLatin1Char('\''), QStringLiteral("''"));
        path += QStringLiteral(".\"%1\"").arg(escaped);
    }
    return QLatin1Char('\'') + path + QLatin1Char('\'');
}

QString columnName(const QString &path)
{
    QStringList parts = segments(path);
    parts.removeAll(QStringLiteral("[]"));
    return parts.join(QStringLiteral("__"));
}

QString label(const QString &path)
{
    QStringList parts = segments(path);
    parts.removeAll(QStringLiteral("[]"));
    return parts.join(QLatin1Char('.'));
}

QString raw(const QString &json, const QString &path)
{
    return QStringLiteral("json_extract(%1, %2)").arg(json, jsonPath(segments(path)));
}

QString typed(const FieldStats &field, const QString &json, const QString &path)
{
    const QString x = raw(json, path);
    switch (field.type()) {
    case FieldType::Integer: // text only when it reads back the same ("15", not "15abc" or "007")
        return QStringLiteral("(CASE typeof(%1) WHEN 'integer' THEN %1 WHEN 'text' THEN CASE WHEN "
                              "CAST(CAST(%1 AS INTEGER) AS TEXT) = %1 THEN CAST(%1 AS INTEGER) END END)")
            .arg(x);
    case FieldType::Real:
        return QStringLiteral("(CASE typeof(%1) WHEN 'integer' THEN CAST(%1 AS REAL) WHEN 'real' THEN %1 "
                              "WHEN 'text' THEN CASE WHEN %1 GLOB '*[0-9]*' AND %1 NOT GLOB '*[^0-9eE.+-]*' "
                              "THEN CAST(%1 AS REAL) END END)")
            .arg(x);
    case FieldType::Boolean:
        return QStringLiteral("(CASE json_type(%1, %2) WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'text' "
                              "THEN CASE lower(%3) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END END)")
            .arg(json, jsonPath(segments(path)), x);
    case FieldType::Timestamp:
        return QStringLiteral("(CASE typeof(%1) WHEN 'text' THEN strftime('%Y-%m-%dT%H:%M:%SZ', %1) "
                              "WHEN 'integer' THEN strftime('%2', %1%3, 'unixepoch') WHEN 'real' THEN "
                              "strftime('%2', %1%3, 'unixepoch') END)")
            .arg(x,
                 field.isMilliseconds() ? QStringLiteral("%Y-%m-%dT%H:%M:%fZ")
                                        : QStringLiteral("%Y-%m-%dT%H:%M:%SZ"),
                 field.isMilliseconds() ? QStringLiteral(" / 1000.0") : QString());
    case FieldType::Date:
        return QStringLiteral("(CASE typeof(%1) WHEN 'text' THEN date(%1) END)").arg(x);
    case FieldType::Text:
        return QStringLiteral("CAST(%1 AS TEXT)").arg(x);
    case FieldType::Unknown:
    case FieldType::Object:
    case FieldType::Array:
        break;
    }
    return x;
}

QList<FieldStats> columnFields(const QList<FieldStats> &fields, const QString &prefix)
{
    QSet<QString> parents; // objects with members: their members are the columns
    for (const FieldStats &field : fields) {
        const int cut = field.path.lastIndexOf(kSeparator);
        if (cut > 0)
            parents.insert(field.path.left(cut));
    }
    QList<FieldStats> columns;
    QSet<QString> names;
    for (const FieldStats &field : fields) {
        if (!field.path.startsWith(prefix))
            continue;
        FieldStats column = field;
        column.path = field.path.mid(prefix.size());
        if (column.path.isEmpty() || column.path.contains(QStringLiteral("[]")))
            continue; // an array's elements: its child view
        if (field.type() == FieldType::Object && parents.contains(field.path))
            continue;
        const QString name = columnName(column.path);
        if (names.contains(name))
            continue;
        names.insert(name);
        columns.append(column);
    }
    return columns;
}

} // namespace FieldSql
