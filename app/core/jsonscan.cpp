#include "jsonscan.h"

#include <QJsonArray>
#include <QJsonDocument>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace JsonScan {

namespace {

inline qsizetype skipWs(QByteArrayView s, qsizetype p)
{
    const qsizetype n = s.size();
    while (p < n) {
        const char c = s[p];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            break;
        ++p;
    }
    return p;
}

// p at the opening quote; returns the index after the closing quote, or -1. Strings are most of a record's
// bytes, so they are skipped 16 bytes at a time where SSE2 is there.
inline qsizetype skipString(QByteArrayView s, qsizetype p)
{
    const char *data = s.data();
    const qsizetype n = s.size();
    ++p;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (p + 16 <= n) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(data + p));
        const int mask =
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
        if (mask == 0) {
            p += 16;
            continue;
        }
        p += __builtin_ctz(unsigned(mask));
        if (data[p] == '"')
            return p + 1;
        p += 2; // an escape: skip the backslash and the escaped character
    }
#endif
    while (p < n) {
        const char c = data[p];
        if (c == '"')
            return p + 1;
        p += c == '\\' ? 2 : 1;
    }
    return -1;
}

inline bool isLiteralChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
}

void fail(Result *result, const QString &message)
{
    if (result && result->ok) {
        result->ok = false;
        result->error = message;
    }
}

} // namespace

qsizetype skipValue(QByteArrayView s, qsizetype p)
{
    const qsizetype n = s.size();
    p = skipWs(s, p);
    if (p >= n)
        return -1;
    const char c = s[p];
    if (c == '"')
        return skipString(s, p);
    if (c == '{' || c == '[') {
        // Nesting is tracked with one counter; strings are skipped whole so brackets inside them don't count.
        char stack[256];
        int depth = 0;
        while (p < n) {
            const char d = s[p];
            if (d == '"') {
                p = skipString(s, p);
                if (p < 0)
                    return -1;
                continue;
            }
            if (d == '{' || d == '[') {
                if (depth == int(sizeof stack))
                    return -1;
                stack[depth++] = d == '{' ? '}' : ']';
            } else if (d == '}' || d == ']') {
                if (depth == 0 || stack[depth - 1] != d)
                    return -1;
                if (--depth == 0)
                    return p + 1;
            }
            ++p;
        }
        return -1;
    }
    const qsizetype start = p;
    while (p < n && isLiteralChar(s[p]))
        ++p;
    if (p == start)
        return -1;
    const QByteArrayView literal = s.sliced(start, p - start);
    const char first = literal.front();
    if (first == 't' && literal != "true")
        return -1;
    if (first == 'f' && literal != "false")
        return -1;
    if (first == 'n' && literal != "null")
        return -1;
    if (first != 't' && first != 'f' && first != 'n' && first != '-' && (first < '0' || first > '9'))
        return -1;
    return p;
}

// Walks the members of an object, calling visit(name, value) until it returns true (found). Each value is
// passed over with skip(name, valueStart), which returns its end or -1; scanPage() uses that to read the
// records array in the same pass.
template <typename Visit, typename Skip>
static void walkMembers(QByteArrayView s, Result *result, Visit visit, Skip skip)
{
    const qsizetype n = s.size();
    qsizetype p = skipWs(s, 0);
    if (p >= n || s[p] != '{') {
        fail(result, QStringLiteral("expected a JSON object"));
        return;
    }
    p = skipWs(s, p + 1);
    if (p < n && s[p] == '}')
        return;
    while (p < n) {
        if (s[p] != '"') {
            fail(result, QStringLiteral("expected a member name at byte %1").arg(p));
            return;
        }
        const qsizetype keyEnd = skipString(s, p);
        if (keyEnd < 0) {
            fail(result, QStringLiteral("unterminated string at byte %1").arg(p));
            return;
        }
        const QByteArrayView name = s.sliced(p + 1, keyEnd - p - 2);
        p = skipWs(s, keyEnd);
        if (p >= n || s[p] != ':') {
            fail(result, QStringLiteral("expected ':' at byte %1").arg(p));
            return;
        }
        const qsizetype valueStart = skipWs(s, p + 1);
        const qsizetype valueEnd = skip(name, valueStart);
        if (valueEnd < 0) {
            fail(result, QStringLiteral("malformed or truncated value of \"%1\" at byte %2")
                             .arg(QString::fromUtf8(name), QString::number(valueStart)));
            return;
        }
        if (visit(name, s.sliced(valueStart, valueEnd - valueStart)))
            return;
        p = skipWs(s, valueEnd);
        if (p < n && s[p] == ',') {
            p = skipWs(s, p + 1);
            continue;
        }
        if (p < n && s[p] == '}')
            return;
        fail(result, QStringLiteral("expected ',' or '}' at byte %1").arg(p));
        return;
    }
    fail(result, QStringLiteral("truncated object"));
}

template <typename Visit> static void forEachMember(QByteArrayView s, Result *result, Visit visit)
{
    walkMembers(s, result, visit, [s](QByteArrayView, qsizetype start) { return skipValue(s, start); });
}

static QByteArrayView memberOne(QByteArrayView s, QByteArrayView key, Result *result)
{
    QByteArrayView found;
    forEachMember(s, result, [&](QByteArrayView name, QByteArrayView value) {
        if (name != key)
            return false;
        found = value;
        return true;
    });
    return found;
}

QList<QPair<QByteArrayView, QByteArrayView>> members(QByteArrayView json, Result *result)
{
    QList<QPair<QByteArrayView, QByteArrayView>> list;
    forEachMember(json, result, [&](QByteArrayView name, QByteArrayView value) {
        list.append({name, value});
        return false;
    });
    return list;
}

QStringList memberNames(QByteArrayView json)
{
    QStringList names;
    forEachMember(json, nullptr, [&](QByteArrayView name, QByteArrayView) {
        names.append(name.contains('\\') ? toValue(QByteArray('"' + name.toByteArray() + '"')).toString()
                                         : QString::fromUtf8(name));
        return false;
    });
    return names;
}

QByteArrayView member(QByteArrayView json, QByteArrayView path, Result *result)
{
    QByteArrayView current = json;
    while (true) {
        const qsizetype dot = path.indexOf('.');
        const QByteArrayView key = dot < 0 ? path : path.first(dot);
        current = memberOne(current, key, result);
        if (dot < 0 || current.isEmpty())
            return current;
        path = path.sliced(dot + 1);
    }
}

QList<QByteArrayView> elements(QByteArrayView s, Result *result)
{
    QList<QByteArrayView> list;
    const qsizetype n = s.size();
    qsizetype p = skipWs(s, 0);
    if (p >= n || s[p] != '[') {
        fail(result, QStringLiteral("expected a JSON array"));
        return list;
    }
    p = skipWs(s, p + 1);
    if (p < n && s[p] == ']')
        return list;
    while (p < n) {
        const qsizetype end = skipValue(s, p);
        if (end < 0) {
            fail(result,
                 QStringLiteral("malformed or truncated element %1 at byte %2").arg(list.size()).arg(p));
            return list;
        }
        list.append(s.sliced(p, end - p));
        p = skipWs(s, end);
        if (p < n && s[p] == ',') {
            p = skipWs(s, p + 1);
            continue;
        }
        if (p < n && s[p] == ']')
            return list;
        fail(result, QStringLiteral("expected ',' or ']' at byte %1").arg(p));
        return list;
    }
    fail(result, QStringLiteral("truncated array"));
    return list;
}

QByteArrayView Page::member(QByteArrayView name) const
{
    for (const auto &m : members) {
        if (m.first == name)
            return m.second;
    }
    return {};
}

// Elements of the array starting at `p` (at '['), with the wanted top-level fields of object elements.
// Returns the end of the array, or -1.
static qsizetype scanItems(QByteArrayView s, qsizetype p, std::initializer_list<QByteArrayView> keys,
                           QList<Item> *items, Result *result)
{
    const qsizetype n = s.size();
    p = skipWs(s, p + 1);
    if (p < n && s[p] == ']')
        return p + 1;
    while (p < n) {
        Item item;
        qsizetype end = -1;
        if (s[p] == '{') {
            // Walk the object's members once, keeping the wanted ones; nested values are skipped whole.
            qsizetype q = skipWs(s, p + 1);
            if (q < n && s[q] == '}')
                end = q + 1;
            while (end < 0 && q < n && s[q] == '"') {
                const qsizetype keyEnd = skipString(s, q);
                if (keyEnd < 0)
                    break;
                const QByteArrayView name = s.sliced(q + 1, keyEnd - q - 2);
                q = skipWs(s, keyEnd);
                if (q >= n || s[q] != ':')
                    break;
                const qsizetype valueStart = skipWs(s, q + 1);
                const qsizetype valueEnd = skipValue(s, valueStart);
                if (valueEnd < 0)
                    break;
                int k = 0;
                for (QByteArrayView key : keys) {
                    if (k < 4 && name == key)
                        item.fields[k] = s.sliced(valueStart, valueEnd - valueStart);
                    ++k;
                }
                q = skipWs(s, valueEnd);
                if (q < n && s[q] == ',')
                    q = skipWs(s, q + 1);
                else if (q < n && s[q] == '}')
                    end = q + 1;
                else
                    break;
            }
        } else {
            end = skipValue(s, p);
        }
        if (end < 0) {
            fail(result,
                 QStringLiteral("malformed or truncated element %1 at byte %2").arg(items->size()).arg(p));
            return -1;
        }
        item.raw = s.sliced(p, end - p);
        items->append(item);
        p = skipWs(s, end);
        if (p < n && s[p] == ',') {
            p = skipWs(s, p + 1);
            continue;
        }
        if (p < n && s[p] == ']')
            return p + 1;
        fail(result, QStringLiteral("expected ',' or ']' at byte %1").arg(p));
        return -1;
    }
    fail(result, QStringLiteral("truncated array"));
    return -1;
}

Page scanPage(QByteArrayView json, QByteArrayView arrayKey, std::initializer_list<QByteArrayView> fieldKeys,
              Result *result)
{
    Page page;
    const qsizetype n = json.size();
    qsizetype p = skipWs(json, 0);
    if (arrayKey.isEmpty()) {
        if (p >= n || json[p] != '[') {
            fail(result, QStringLiteral("expected a JSON array"));
            return page;
        }
        page.hasArray = scanItems(json, p, fieldKeys, &page.items, result) >= 0;
        return page;
    }
    walkMembers(
        json, result,
        [&](QByteArrayView name, QByteArrayView value) {
            page.members.append({name, value});
            return false;
        },
        [&](QByteArrayView name, qsizetype start) {
            if (name != arrayKey || start >= n || json[start] != '[')
                return skipValue(json, start);
            const qsizetype end = scanItems(json, start, fieldKeys, &page.items, result);
            page.hasArray = end >= 0;
            return end;
        });
    return page;
}

QJsonValue toValue(QByteArrayView raw)
{
    if (raw.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QByteArray wrapped;
    wrapped.reserve(raw.size() + 2);
    wrapped.append('[').append(raw.data(), raw.size()).append(']');
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped);
    if (!doc.isArray() || doc.array().size() != 1)
        return QJsonValue(QJsonValue::Undefined);
    return doc.array().at(0);
}

QByteArray keyText(QByteArrayView raw)
{
    if (raw.size() >= 2 && raw.front() == '"') {
        const QByteArrayView inner = raw.sliced(1, raw.size() - 2);
        if (!inner.contains('\\'))
            return inner.toByteArray();
        return toValue(raw).toString().toUtf8();
    }
    return raw.toByteArray();
}

QByteArray compact(QByteArrayView json)
{
    QByteArray out;
    out.reserve(json.size());
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out.append(c);
            if (c == '\\' && i + 1 < json.size())
                out.append(json[++i]); // an escaped quote does not end the string
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
            out.append(c);
        } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            out.append(c);
        }
    }
    return out;
}

} // namespace JsonScan
