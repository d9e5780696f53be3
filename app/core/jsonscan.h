// A small non-allocating JSON scanner for the sync hot path: it finds members and array elements as byte
// ranges of the page the API sent, so records are stored exactly as sent, without a parse/re-serialise
// round trip. It validates structure (strings, nesting, literals) as it goes; anything it cannot follow is
// reported as malformed. Values handed to the rest of the app are parsed with QJsonDocument as usual.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QStringList>

#include <QString>
#include <initializer_list>

namespace JsonScan {

struct Result
{
    bool ok = true;
    QString error; // what was wrong and at which byte
};

// The raw value of top-level member `key` of the object `json` (whitespace-trimmed); empty when absent.
// `path` may be dotted ("data.items") to descend objects.
QByteArrayView member(QByteArrayView json, QByteArrayView path, Result *result = nullptr);
// Top-level members of the object `json` in the order they appear: (name as raw JSON string text, value).
QList<QPair<QByteArrayView, QByteArrayView>> members(QByteArrayView json, Result *result = nullptr);
// Top-level member names of an object, unescaped, in order.
QStringList memberNames(QByteArrayView json);
// Elements of the array `json`, each as its raw bytes.
QList<QByteArrayView> elements(QByteArrayView arrayJson, Result *result = nullptr);
// One element of a list page, with the raw values of the top-level members asked for (empty when absent).
struct Item
{
    QByteArrayView raw;
    QByteArrayView fields[4];
};

// A whole list page in one pass: every top-level member of the envelope, and the elements of the array member
// `arrayKey` (an empty key: the page itself is the array) with up to four top-level fields of each.
struct Page
{
    QList<QPair<QByteArrayView, QByteArrayView>> members;
    QList<Item> items;
    bool hasArray = false;

    QByteArrayView member(QByteArrayView name) const;
};
Page scanPage(QByteArrayView json, QByteArrayView arrayKey, std::initializer_list<QByteArrayView> fieldKeys,
              Result *result = nullptr);

// Parses one raw scalar (string, number, true/false/null) or compound value into a QJsonValue.
QJsonValue toValue(QByteArrayView raw);
// The record key for storage: a string's unescaped text, or a number/literal's raw text.
QByteArray keyText(QByteArrayView raw);
// The end (exclusive) of the JSON value starting at `pos`, or -1 when malformed.
qsizetype skipValue(QByteArrayView json, qsizetype pos);
// `json` without the blanks between its tokens (strings are kept byte for byte): PostgreSQL's JSONB text
// ({"a": 1, "b": [2, 3]}) as compact as the API's.
QByteArray compact(QByteArrayView json);

} // namespace JsonScan
