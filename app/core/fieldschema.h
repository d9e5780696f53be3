// An entity's schema, inferred from the records a sync commits: per field (top level, members of nested
// objects to depth 2, and members of arrays of objects) how many values of each kind were seen, the type
// that follows from them, and a type the connector declares. Observed on the fetching thread, merged into
// the catalog in the chunk's own transaction, read by the typed views, the browser and the exports.
#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <array>
#include <vector>

enum class FieldType { Unknown, Integer, Real, Boolean, Text, Timestamp, Date, Object, Array };
QString fieldTypeName(FieldType type); // "integer", "timestamp", ...; "" for Unknown
FieldType fieldTypeFromName(const QString &name, bool *ok = nullptr);
bool isNumeric(FieldType type);

// What one value looked like. Timestamp/Date: an ISO-8601 string. ObjectArray: a non-empty array of objects.
enum class ValueKind { Null, Integer, Real, Boolean, Text, Timestamp, Date, Object, Array, ObjectArray };
constexpr int kValueKinds = int(ValueKind::ObjectArray) + 1;

// Classifies one raw JSON value. `textValues`: the source only has text (CSV), so a string is read for the
// number, boolean or date it spells ("15", "1.99", "true", "2024-12-01"); "007" stays text.
ValueKind classifyValue(QByteArrayView raw, bool textValues);
// The same for an unquoted string's text.
ValueKind classifyText(QByteArrayView text);

struct FieldCounts
{
    std::array<qint64, kValueKinds> n{};
    qint64 largestInteger = 0; // magnitude: tells Unix seconds from milliseconds for declared timestamps

    qint64 operator[](ValueKind kind) const { return n[size_t(kind)]; }
    qint64 total() const;
    qint64 nonNull() const { return total() - (*this)[ValueKind::Null]; }
    void add(const FieldCounts &other);
    QJsonArray toJson() const;
    QString toText() const; // toJson() as compact text, written without a JSON document
    static FieldCounts fromJson(const QJsonArray &array);
};

struct FieldStats
{
    // "created", "address.city" (a member of an object), "lines.data[].amount" (of an array's objects).
    QString path;
    int position = 0; // first seen at: the order columns appear in
    FieldType declared = FieldType::Unknown;
    FieldCounts counts;

    FieldType type() const; // the declared type, else what every non-null value fits
    qint64 misfits() const; // non-null values that do not fit type()
    // Unix milliseconds rather than seconds (integer values of a timestamp field).
    bool isMilliseconds() const { return counts.largestInteger >= 100000000000LL; }
    QString summary() const; // "integer: 4,990 values, 10 null, 0 did not fit"
};

// What a connector knows about an entity's fields.
struct SchemaHints
{
    QHash<QString, FieldType> declared; // path -> type ("created" -> Timestamp)
    bool textValues = false;            // CSV: every value is text to be read for its type
};

// Counts what a stream of records holds, on the fetching thread. One per entity worker: take() hands over
// each chunk's counts and keeps the lookup of names seen, so later pages allocate nothing.
class SchemaObserver
{
public:
    explicit SchemaObserver(const SchemaHints &hints);
    void observe(QByteArrayView recordJson);
    // The fields counted since the last take(); their counts start again from zero.
    QList<FieldStats> take();

    // Bounds a chunk's contribution (maps with arbitrary keys, such as metadata, could grow without end):
    // each chunk may add at least this many fields to those already known, twice as many at most.
    static constexpr int kMaxFields = 400;

private:
    // Where a field's members are looked up: the record (slot 0), a field's object members (1 + 2 * field)
    // or its array elements' members (2 + 2 * field). Names are the raw bytes the API sent.
    struct Child
    {
        quint64 head; // the name's first eight bytes: most names are told apart by this one comparison
        QByteArray name;
        int field;
    };
    struct Slot
    {
        QString prefix; // path of the slot's members, up to their names
        QList<Child> children;
    };
    int field(int slot, QByteArrayView name, quint64 head, int *cursor); // -1 past the bound
    void count(int index, ValueKind kind) { ++m_counts[size_t(index)].n[size_t(kind)]; }
    void countNumber(int index, QByteArrayView raw);
    // Reads and counts the string, number or literal at `json[p]`: the position after it, -1 when
    // malformed, kNotScalar for an object or array.
    static constexpr qsizetype kNotScalar = -2;
    qsizetype observeScalar(QByteArrayView json, qsizetype p, int index);
    qsizetype observeObject(QByteArrayView json, qsizetype p, int slot, int depth);
    void observeValue(QByteArrayView value, int index, int depth);
    void reset();
    const SchemaHints &m_hints;
    QList<Slot> m_slots;
    QList<FieldStats> m_fields;        // path, position, declared; counts are in m_counts
    std::vector<FieldCounts> m_counts; // per field, since the last take()
};

// Merges `more` into `kept` by path (positions of new fields follow the kept ones).
void mergeFieldStats(QList<FieldStats> &kept, const QList<FieldStats> &more);

// SQLite expressions over a field's JSON value, shared by the catalog's typed views and the records browser
// so both compare and sort the same way. Paths are FieldStats paths (segments separated by a tab).
namespace FieldSql {
QStringList segments(const QString &path);
QString jsonPath(const QStringList &segments); // '$."address"."city"'
QString columnName(const QString &path);       // "address__city"
QString label(const QString &path);            // "address.city"
// The value as its type: INTEGER, REAL, 1/0 for booleans, ISO-8601 UTC text for timestamps, date text;
// a value that does not fit is NULL, never 0. `json` is the JSON holding it ("data", "j.value").
QString typed(const FieldStats &field, const QString &json, const QString &path);
QString raw(const QString &json, const QString &path); // json_extract: the value as the API sent it
// The fields that are columns under `prefix` ("" for the record, "lines\t[]\t" for an array's elements):
// scalars, arrays kept whole, objects replaced by their members; not what lies in a deeper array. Paths in
// the result are relative to `prefix`; one column per column name.
QList<FieldStats> columnFields(const QList<FieldStats> &fields, const QString &prefix = {});
} // namespace FieldSql
