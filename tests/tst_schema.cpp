// Inferred schemas: how one value is classified (CSV text and raw JSON), how a field's counts become its
// type, the SQL that types a value in the views; and end to end through real syncs: a 5,000-row CSV, a
// header-only CSV and column_types through the files connector, Stripe's Unix timestamps, nested objects and
// invoice lines from the fake Stripe, and a field whose type changes between syncs, named in the run log.
#include "fakestripeserver.h"
#include "fieldschema.h"
#include "testutil.h"

#include <QDate>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

#include <algorithm>

Q_DECLARE_METATYPE(ValueKind)

namespace {

const char kMemoryDb[] = "tst_schema_memory";

QString kindName(ValueKind kind)
{
    static const char *const names[] = {"null",      "integer", "real",   "boolean", "text",
                                        "timestamp", "date",    "object", "array",   "object array"};
    return QString::fromLatin1(names[int(kind)]);
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QList<FieldStats> observe(const QList<QByteArray> &records, const SchemaHints &hints = {})
{
    SchemaObserver observer(hints);
    for (const QByteArray &record : records)
        observer.observe(record);
    return observer.take();
}

FieldStats fieldOf(const QList<FieldStats> &fields, const QString &path)
{
    for (const FieldStats &field : fields) {
        if (field.path == path)
            return field;
    }
    return {};
}

// The first column of the first row `sql` returns from the test thread's catalog; invalid when it fails.
QVariant scalar(Catalog &catalog, const QString &sql)
{
    QSqlQuery q(catalog.database());
    if (!q.exec(sql)) {
        qWarning() << sql << q.lastError().text();
        return {};
    }
    return q.next() ? q.value(0) : QVariant();
}

qint64 count(Catalog &catalog, const QString &sql)
{
    const QVariant value = scalar(catalog, sql);
    return value.isValid() ? value.toLongLong() : -1;
}

SyncOptions fullSync(const QStringList &entities = {})
{
    SyncOptions options;
    options.entities = entities;
    options.mode = SyncMode::Full;
    return options;
}

// The orders CSV of the big test and what its columns hold, counted as it is written.
struct OrdersCsv
{
    QByteArray text;
    int rows = 0;
    int quantityEmpty = 0, quantityAbove15 = 0, quantityBelow15 = 0, quantity7 = 0;
    int paid = 0;
    int note007 = 0;
};

OrdersCsv ordersCsv(int rows)
{
    static const char *const prices[] = {"1.99", "10.01", "99.99", "5.50", "12"}; // "12": ints join reals
    OrdersCsv csv;
    csv.rows = rows;
    csv.text = "order_id,quantity,unit_price,paid,ordered_on,note\n";
    for (int n = 1; n <= rows; ++n) {
        const int quantity = (n - 1) % 30 + 1;
        const bool empty = n % 13 == 0;
        if (empty)
            ++csv.quantityEmpty;
        else if (quantity > 15)
            ++csv.quantityAbove15;
        else if (quantity < 15)
            ++csv.quantityBelow15;
        if (!empty && quantity == 7)
            ++csv.quantity7;
        const bool paid = n % 3 == 0;
        csv.paid += paid ? 1 : 0;
        const bool note007 = n % 10 == 0;
        csv.note007 += note007 ? 1 : 0;
        csv.text += QByteArray::number(n) + ',' + (empty ? QByteArray() : QByteArray::number(quantity)) +
                    ',' + prices[n % 5] + ',' + (paid ? (n % 7 == 0 ? "TRUE" : "true") : "false") + ',' +
                    QDate(2024, 1, 1).addDays(n % 366).toString(Qt::ISODate).toLatin1() + ',' +
                    (note007 ? QByteArray("007") : "Order " + QByteArray::number(n)) + '\n';
    }
    return csv;
}

} // namespace

class TestSchema : public QObject
{
    Q_OBJECT

private:
    // Evaluates a FieldSql expression over `json` bound as the column `data`.
    static QVariant evaluate(const QString &expression, const QByteArray &json)
    {
        QSqlQuery q(QSqlDatabase::database(QLatin1String(kMemoryDb)));
        if (!q.prepare(QStringLiteral("SELECT %1 FROM (SELECT ? AS data)").arg(expression))) {
            qWarning() << expression << q.lastError().text();
            return {};
        }
        q.addBindValue(QString::fromUtf8(json));
        if (!q.exec() || !q.next()) {
            qWarning() << expression << q.lastError().text();
            return {};
        }
        return q.value(0);
    }

private slots:
    void initTestCase()
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QLatin1String(kMemoryDb));
        db.setDatabaseName(QStringLiteral(":memory:"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
    }

    void cleanupTestCase()
    {
        QSqlDatabase::database(QLatin1String(kMemoryDb)).close();
        QSqlDatabase::removeDatabase(QLatin1String(kMemoryDb));
    }

    void classifyText_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<ValueKind>("expected");
        QTest::newRow("15") << QByteArray("15") << ValueKind::Integer;
        QTest::newRow("-3") << QByteArray("-3") << ValueKind::Integer;
        QTest::newRow("0") << QByteArray("0") << ValueKind::Integer;
        QTest::newRow("18 digits") << QByteArray("123456789012345678") << ValueKind::Integer;
        QTest::newRow("1.99") << QByteArray("1.99") << ValueKind::Real;
        QTest::newRow("1e3") << QByteArray("1e3") << ValueKind::Real;
        QTest::newRow("-0.5") << QByteArray("-0.5") << ValueKind::Real;
        QTest::newRow("007") << QByteArray("007") << ValueKind::Text;
        QTest::newRow("+5") << QByteArray("+5") << ValueKind::Text;
        QTest::newRow("1.") << QByteArray("1.") << ValueKind::Text;
        QTest::newRow("1,5") << QByteArray("1,5") << ValueKind::Text;
        QTest::newRow(" 15") << QByteArray(" 15") << ValueKind::Text;
        QTest::newRow("-") << QByteArray("-") << ValueKind::Text;
        // 19 digits may pass 2^63: such ids stay text rather than be rounded.
        QTest::newRow("19 digits") << QByteArray("1234567890123456789") << ValueKind::Text;
        QTest::newRow("25 digits") << QByteArray("1234567890123456789012345") << ValueKind::Text;
        QTest::newRow("true") << QByteArray("true") << ValueKind::Boolean;
        QTest::newRow("FALSE") << QByteArray("FALSE") << ValueKind::Boolean;
        QTest::newRow("yes") << QByteArray("yes") << ValueKind::Text;
        QTest::newRow("2024-12-01") << QByteArray("2024-12-01") << ValueKind::Date;
        QTest::newRow("Z") << QByteArray("2024-12-01T10:20:30Z") << ValueKind::Timestamp;
        QTest::newRow("+02:00") << QByteArray("2024-12-01T10:20:30+02:00") << ValueKind::Timestamp;
        QTest::newRow("fraction") << QByteArray("2024-12-01T10:20:30.123Z") << ValueKind::Timestamp;
        QTest::newRow("fraction +02:00")
            << QByteArray("2024-12-01T10:20:30.123456+02:00") << ValueKind::Timestamp;
        QTest::newRow("space, minutes") << QByteArray("2024-12-01 10:20") << ValueKind::Timestamp;
        QTest::newRow("month 13") << QByteArray("2024-13-01") << ValueKind::Text;
        QTest::newRow("hour 24") << QByteArray("2024-12-01T24:00:00Z") << ValueKind::Text;
        QTest::newRow("February 30") << QByteArray("2024-02-30") << ValueKind::Text;
        QTest::newRow("February 29, leap") << QByteArray("2024-02-29") << ValueKind::Date;
        QTest::newRow("second 60") << QByteArray("2024-12-01T10:20:60Z") << ValueKind::Text;
        // Offsets SQLite's date functions cannot read are text, not timestamps the views would turn to NULL.
        QTest::newRow("+0200") << QByteArray("2024-12-01T10:20:30+0200") << ValueKind::Text;
        QTest::newRow("+02") << QByteArray("2024-12-01T10:20:30+02") << ValueKind::Text;
        QTest::newRow("empty") << QByteArray() << ValueKind::Null;
        QTest::newRow("hello") << QByteArray("hello") << ValueKind::Text;
    }

    void classifyText()
    {
        QFETCH(QByteArray, text);
        QFETCH(ValueKind, expected);
        QCOMPARE(kindName(::classifyText(text)), kindName(expected));
    }

    void classifyValue_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<bool>("textValues");
        QTest::addColumn<ValueKind>("expected");
        QTest::newRow("15") << QByteArray("15") << false << ValueKind::Integer;
        QTest::newRow("-3") << QByteArray("-3") << false << ValueKind::Integer;
        QTest::newRow("1.5") << QByteArray("1.5") << false << ValueKind::Real;
        QTest::newRow("1e3") << QByteArray("1e3") << false << ValueKind::Real;
        QTest::newRow("true") << QByteArray("true") << false << ValueKind::Boolean;
        QTest::newRow("false") << QByteArray("false") << false << ValueKind::Boolean;
        QTest::newRow("null") << QByteArray("null") << false << ValueKind::Null;
        QTest::newRow("date string") << QByteArray("\"2024-12-01\"") << false << ValueKind::Date;
        QTest::newRow("timestamp string")
            << QByteArray("\"2024-12-01T10:20:30Z\"") << false << ValueKind::Timestamp;
        QTest::newRow("text string") << QByteArray("\"hello\"") << false << ValueKind::Text;
        QTest::newRow("empty string") << QByteArray("\"\"") << false << ValueKind::Text;
        QTest::newRow("escaped string") << QByteArray("\"a\\\"b\\\\\"") << false << ValueKind::Text;
        QTest::newRow("escaped date") << QByteArray("\"2024-12-0\\u0031\"") << false << ValueKind::Text;
        QTest::newRow("-1.5E+3") << QByteArray("-1.5E+3") << false << ValueKind::Real;
        QTest::newRow("object") << QByteArray("{\"a\":1}") << false << ValueKind::Object;
        QTest::newRow("array") << QByteArray("[1,2]") << false << ValueKind::Array;
        QTest::newRow("object array") << QByteArray("[{\"a\":1}]") << false << ValueKind::ObjectArray;
        QTest::newRow("object array, spaced")
            << QByteArray("[\n  {\"a\":1}]") << false << ValueKind::ObjectArray;
        QTest::newRow("empty array") << QByteArray("[]") << false << ValueKind::Array;
        // A JSON API's "15" is text; a CSV's is the number it spells.
        QTest::newRow("\"15\" as JSON") << QByteArray("\"15\"") << false << ValueKind::Text;
        QTest::newRow("\"15\" as CSV") << QByteArray("\"15\"") << true << ValueKind::Integer;
        QTest::newRow("\"1.99\" as CSV") << QByteArray("\"1.99\"") << true << ValueKind::Real;
        QTest::newRow("\"true\" as CSV") << QByteArray("\"true\"") << true << ValueKind::Boolean;
        QTest::newRow("\"007\" as CSV") << QByteArray("\"007\"") << true << ValueKind::Text;
        QTest::newRow("\"2024-12-01\" as CSV") << QByteArray("\"2024-12-01\"") << true << ValueKind::Date;
        QTest::newRow("escaped \"15\" as CSV") << QByteArray("\"1\\u0035\"") << true << ValueKind::Integer;
        QTest::newRow("null as CSV") << QByteArray("null") << true << ValueKind::Null;
    }

    void classifyValue()
    {
        QFETCH(QByteArray, raw);
        QFETCH(bool, textValues);
        QFETCH(ValueKind, expected);
        QCOMPARE(kindName(::classifyValue(raw, textValues)), kindName(expected));
        // The observer reads scalars on its own path: it must count the same kind, in a record's middle as
        // at its end.
        SchemaHints hints;
        hints.textValues = textValues;
        for (const QByteArray &record : {"{\"v\":" + raw + ",\"w\":1}", "{\"w\":1, \"v\": " + raw + " }"}) {
            const FieldStats v = fieldOf(observe({record}, hints), QStringLiteral("v"));
            QCOMPARE(v.counts.total(), 1);
            QCOMPARE(v.counts[expected], 1);
            QCOMPARE(fieldOf(observe({record}, hints), QStringLiteral("w")).counts[ValueKind::Integer], 1);
        }
    }

    void integerWithNullsStaysInteger()
    {
        const QList<FieldStats> fields =
            observe({"{\"q\":1}", "{\"q\":null}", "{\"q\":30}", "{\"other\":true}", "{\"q\":-4}"});
        const FieldStats q = fieldOf(fields, QStringLiteral("q"));
        QCOMPARE(q.path, QStringLiteral("q"));
        QCOMPARE(fieldTypeName(q.type()), QStringLiteral("integer"));
        QCOMPARE(q.misfits(), 0); // a null is no value, not a misfit
        QCOMPARE(q.counts[ValueKind::Null], 1);
        QCOMPARE(q.counts.nonNull(), 3);
        QCOMPARE(q.counts.largestInteger, 30);
        const QString typed = FieldSql::typed(q, QStringLiteral("data"), q.path);
        QCOMPARE(evaluate(QStringLiteral("typeof(%1)").arg(typed), "{\"q\":30}").toString(),
                 QStringLiteral("integer"));
        QCOMPARE(evaluate(typed, "{\"q\":30}").toLongLong(), 30);
        QVERIFY(evaluate(typed, "{\"q\":null}").isNull());
    }

    void observerCountsEachChunkOnItsOwn()
    {
        // One observer serves a whole sync: each take() holds only what was seen since the one before.
        const SchemaHints hints;
        SchemaObserver observer(hints);
        observer.observe("{\"a\":1,\"b\":{\"c\":\"x\"}}");
        observer.observe("{\"a\":2,\"b\":{\"c\":\"y\"}}");
        QList<FieldStats> first = observer.take();
        QCOMPARE(first.size(), 3);
        QCOMPARE(fieldOf(first, QStringLiteral("a")).counts[ValueKind::Integer], 2);
        observer.observe("{\"a\":3.5,\"d\":true}");
        const QList<FieldStats> second = observer.take();
        QCOMPARE(second.size(), 2); // a and d: b and b.c were not in this chunk
        const FieldStats a = fieldOf(second, QStringLiteral("a"));
        QCOMPARE(a.counts.total(), 1);
        QCOMPARE(a.counts[ValueKind::Real], 1);
        QCOMPARE(a.counts.largestInteger, 0);
        QCOMPARE(a.position, fieldOf(first, QStringLiteral("a")).position);
        QVERIFY(fieldOf(second, QStringLiteral("d")).position > fieldOf(first, QStringLiteral("a")).position);
        QVERIFY(observer.take().isEmpty());

        // Every chunk may add at least kMaxFields new fields, however many earlier chunks added.
        QByteArray wide = "{";
        for (int i = 0; i < SchemaObserver::kMaxFields + 10; ++i)
            wide += QByteArray(i ? "," : "") + "\"k" + QByteArray::number(i) + "\":1";
        wide += "}";
        observer.observe(wide);
        QCOMPARE(observer.take().size(), SchemaObserver::kMaxFields + 10);
        observer.observe(wide);
        QCOMPARE(observer.take().size(), SchemaObserver::kMaxFields + 10);
        // A name with an escape or a tab stays in _json only.
        observer.observe("{\"x\\\"y\":1,\"t\tu\":2,\"z\":3}");
        const QList<FieldStats> plain = observer.take();
        QCOMPARE(plain.size(), 1);
        QCOMPARE(plain.first().path, QStringLiteral("z"));
    }

    void countsAsTextReadBack()
    {
        FieldCounts counts;
        for (int i = 0; i < kValueKinds; ++i)
            counts.n[size_t(i)] = qint64(i) * 1000000007LL;
        counts.largestInteger = 1733011200000LL;
        const QString text = counts.toText();
        QCOMPARE(text, QString::fromUtf8(QJsonDocument(counts.toJson()).toJson(QJsonDocument::Compact)));
        const FieldCounts back = FieldCounts::fromJson(QJsonDocument::fromJson(text.toUtf8()).array());
        QCOMPARE(back.n, counts.n);
        QCOMPARE(back.largestInteger, counts.largestInteger);
    }

    void integersAndRealsAreReal()
    {
        const FieldStats p =
            fieldOf(observe({"{\"p\":1}", "{\"p\":1.5}", "{\"p\":-2}", "{\"p\":null}"}), QStringLiteral("p"));
        QCOMPARE(fieldTypeName(p.type()), QStringLiteral("real"));
        QCOMPARE(p.misfits(), 0);
        const QString typed = FieldSql::typed(p, QStringLiteral("data"), p.path);
        // Integers read as reals, so the column has one type.
        QCOMPARE(evaluate(QStringLiteral("typeof(%1)").arg(typed), "{\"p\":1}").toString(),
                 QStringLiteral("real"));
        QCOMPARE(evaluate(typed, "{\"p\":1.5}").toDouble(), 1.5);
    }

    void mixedNumbersAndTextAreText()
    {
        const FieldStats v = fieldOf(observe({"{\"v\":1}", "{\"v\":2.5}", "{\"v\":\"n/a\"}", "{\"v\":null}"}),
                                     QStringLiteral("v"));
        QCOMPARE(fieldTypeName(v.type()), QStringLiteral("text"));
        // The numbers are what does not fit text.
        QCOMPARE(v.misfits(), 2);
        QVERIFY2(v.summary().endsWith(QLatin1String("2 did not fit")), qPrintable(v.summary()));
        QVERIFY2(v.summary().startsWith(QLatin1String("text: ")), qPrintable(v.summary()));
        // Text keeps every value: the numbers become their text, none is dropped.
        const QString typed = FieldSql::typed(v, QStringLiteral("data"), v.path);
        QCOMPARE(evaluate(QStringLiteral("typeof(%1)").arg(typed), "{\"v\":1}").toString(),
                 QStringLiteral("text"));
        QCOMPARE(evaluate(typed, "{\"v\":\"n/a\"}").toString(), QStringLiteral("n/a"));
    }

    void csvTextIsReadForItsType()
    {
        SchemaHints csv;
        csv.textValues = true;
        const FieldStats q =
            fieldOf(observe({"{\"q\":\"15\"}", "{\"q\":null}", "{\"q\":\"3\"}"}, csv), QStringLiteral("q"));
        QCOMPARE(fieldTypeName(q.type()), QStringLiteral("integer"));
        QCOMPARE(q.counts.largestInteger, 15);
        const QString typed = FieldSql::typed(q, QStringLiteral("data"), q.path);
        QCOMPARE(evaluate(QStringLiteral("typeof(%1)").arg(typed), "{\"q\":\"15\"}").toString(),
                 QStringLiteral("integer"));
        QCOMPARE(evaluate(typed, "{\"q\":\"15\"}").toLongLong(), 15);
        // A value that does not read back the same is NULL, never 7 or 0.
        QVERIFY(evaluate(typed, "{\"q\":\"007\"}").isNull());
        // "007" among them makes the column text.
        const FieldStats withZeros =
            fieldOf(observe({"{\"q\":\"15\"}", "{\"q\":\"007\"}"}, csv), QStringLiteral("q"));
        QCOMPARE(fieldTypeName(withZeros.type()), QStringLiteral("text"));
        QCOMPARE(withZeros.misfits(), 1);
    }

    void declaredTimestampSecondsOrMilliseconds_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("milliseconds");
        QTest::newRow("seconds") << QByteArray("1700000000") << false;
        QTest::newRow("milliseconds") << QByteArray("1700000000000") << true;
    }

    void declaredTimestampSecondsOrMilliseconds()
    {
        QFETCH(QByteArray, value);
        QFETCH(bool, milliseconds);
        SchemaHints hints;
        hints.declared.insert(QStringLiteral("created"), FieldType::Timestamp);
        const QByteArray record = "{\"created\":" + value + "}";
        const FieldStats created = fieldOf(observe({record}, hints), QStringLiteral("created"));
        QCOMPARE(fieldTypeName(created.type()), QStringLiteral("timestamp"));
        QCOMPARE(created.misfits(), 0); // Unix numbers fit a declared timestamp
        QCOMPARE(created.isMilliseconds(), milliseconds);
        const QString typed = FieldSql::typed(created, QStringLiteral("data"), created.path);
        // The same instant either way, not one 1000 times later.
        QCOMPARE(evaluate(QStringLiteral("strftime('%s', %1)").arg(typed), record).toString(),
                 QStringLiteral("1700000000"));
        // Milliseconds keep their fraction (%f), so no precision is lost.
        QCOMPARE(evaluate(typed, record).toString(), QTest::currentDataTag() == QByteArray("milliseconds")
                                                         ? QStringLiteral("2023-11-14T22:13:20.000Z")
                                                         : QStringLiteral("2023-11-14T22:13:20Z"));
    }

    void isoTextTimestampsAreUtc_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("Z") << QByteArray("2024-12-01T10:20:30Z") << QStringLiteral("2024-12-01T10:20:30Z");
        QTest::newRow("+02:00") << QByteArray("2024-12-01T10:20:30+02:00")
                                << QStringLiteral("2024-12-01T08:20:30Z");
        QTest::newRow("fraction") << QByteArray("2024-12-01T10:20:30.5Z")
                                  << QStringLiteral("2024-12-01T10:20:30Z");
        QTest::newRow("no offset") << QByteArray("2024-12-01T10:20:30")
                                   << QStringLiteral("2024-12-01T10:20:30Z");
        QTest::newRow("space, minutes")
            << QByteArray("2024-12-01 10:20") << QStringLiteral("2024-12-01T10:20:00Z");
    }

    void isoTextTimestampsAreUtc()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, expected);
        const QByteArray record = "{\"at\":\"" + value + "\"}";
        const FieldStats at = fieldOf(observe({record}), QStringLiteral("at"));
        QCOMPARE(fieldTypeName(at.type()), QStringLiteral("timestamp"));
        QCOMPARE(at.misfits(), 0);
        const QString typed = FieldSql::typed(at, QStringLiteral("data"), at.path);
        QCOMPARE(evaluate(typed, record).toString(), expected);
    }

    void ordersCsvIsTypedInItsView()
    {
        QTemporaryDir data;
        const OrdersCsv csv = ordersCsv(5000);
        const QString file = data.filePath(QStringLiteral("orders.csv"));
        QVERIFY(writeFile(file, csv.text));
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection = fx.addConnection(
            QStringLiteral("local"), QStringLiteral("files"),
            {{QStringLiteral("path"), file}, {QStringLiteral("key_column"), QStringLiteral("order_id")}});
        QVERIFY(connection.id > 0);
        const RunSummary summary = fx.sync(connection, fullSync());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(fx.catalog->recordCount(connection.id, QStringLiteral("orders")), 5000);

        Catalog &c = *fx.catalog;
        const QString view = Catalog::viewName(connection.name, QStringLiteral("orders"));
        QCOMPARE(view, QStringLiteral("local__orders"));
        const auto where = [&](const QString &condition) {
            return count(c, QStringLiteral("SELECT count(*) FROM %1 WHERE %2").arg(view, condition));
        };
        QCOMPARE(count(c, QStringLiteral("SELECT count(*) FROM %1").arg(view)), 5000);
        // quantity: integers, compared as numbers (text would make '7' > 15 true), empty cells NULL.
        QCOMPARE(where(QStringLiteral("quantity IS NOT NULL AND typeof(quantity) <> 'integer'")), 0);
        QCOMPARE(where(QStringLiteral("quantity > 15")), csv.quantityAbove15);
        QCOMPARE(where(QStringLiteral("quantity < 15")), csv.quantityBelow15);
        QCOMPARE(where(QStringLiteral("quantity = 7")), csv.quantity7);
        QCOMPARE(where(QStringLiteral("quantity IS NULL")), csv.quantityEmpty);
        QVERIFY(csv.quantityEmpty > 0);
        QCOMPARE(where(QStringLiteral("json_type(_json, '$.quantity') = 'null'")), csv.quantityEmpty);
        // unit_price: reals, "12" among them included.
        QCOMPARE(where(QStringLiteral("typeof(unit_price) <> 'real'")), 0);
        QCOMPARE(scalar(c, QStringLiteral("SELECT typeof(max(unit_price)) FROM %1").arg(view)).toString(),
                 QStringLiteral("real"));
        QCOMPARE(scalar(c, QStringLiteral("SELECT max(unit_price) FROM %1").arg(view)).toDouble(), 99.99);
        QCOMPARE(scalar(c, QStringLiteral("SELECT unit_price FROM %1 WHERE _key = '5'").arg(view)).toDouble(),
                 1.99);
        // order_id: integers, so max() is 5000, not '999'.
        QCOMPARE(where(QStringLiteral("typeof(order_id) <> 'integer'")), 0);
        QCOMPARE(scalar(c, QStringLiteral("SELECT max(order_id) FROM %1").arg(view)).toLongLong(), 5000);
        QCOMPARE(scalar(c, QStringLiteral("SELECT sum(order_id) FROM %1").arg(view)).toLongLong(),
                 5000LL * 5001 / 2);
        // paid: 1/0, "TRUE" too.
        QCOMPARE(where(QStringLiteral("typeof(paid) <> 'integer'")), 0);
        QCOMPARE(where(QStringLiteral("paid = 1")), csv.paid);
        QCOMPARE(where(QStringLiteral("paid = 0")), 5000 - csv.paid);
        // ordered_on: a date.
        QCOMPARE(where(QStringLiteral("ordered_on IS NULL")), 0);
        QCOMPARE(
            scalar(c, QStringLiteral("SELECT ordered_on FROM %1 WHERE _key = '31'").arg(view)).toString(),
            QStringLiteral("2024-02-01"));
        // note: text, "007" kept as written.
        QCOMPARE(where(QStringLiteral("typeof(note) <> 'text'")), 0);
        QCOMPARE(where(QStringLiteral("note = '007'")), csv.note007);
        QCOMPARE(scalar(c, QStringLiteral("SELECT note FROM %1 WHERE _key = '10'").arg(view)).toString(),
                 QStringLiteral("007"));

        // The schema kept says the same.
        const QList<FieldStats> fields = c.entityFields(connection.id, QStringLiteral("orders"));
        QStringList types;
        for (const FieldStats &field : fields)
            types.append(FieldSql::label(field.path) + QLatin1Char('=') + fieldTypeName(field.type()));
        QCOMPARE(types, (QStringList{QStringLiteral("order_id=integer"), QStringLiteral("quantity=integer"),
                                     QStringLiteral("unit_price=real"), QStringLiteral("paid=boolean"),
                                     QStringLiteral("ordered_on=date"), QStringLiteral("note=text")}));
        const FieldStats quantity = fieldOf(fields, QStringLiteral("quantity"));
        QCOMPARE(quantity.counts[ValueKind::Null], csv.quantityEmpty);
        QCOMPARE(quantity.misfits(), 0);
        QCOMPARE(quantity.counts.total(), 5000);
    }

    void headerOnlyCsvHasNoTypedColumns()
    {
        QTemporaryDir data;
        const QString file = data.filePath(QStringLiteral("orders.csv"));
        QVERIFY(writeFile(file, "order_id,quantity,unit_price\n"));
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection = fx.addConnection(QStringLiteral("local"), QStringLiteral("files"),
                                                           {{QStringLiteral("path"), file}});
        QVERIFY(connection.id > 0);
        const RunSummary summary = fx.sync(connection, fullSync());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(fx.catalog->recordCount(connection.id, QStringLiteral("orders")), 0);
        // No value, no type: nothing is guessed numeric from a header alone.
        for (const FieldStats &field : fx.catalog->entityFields(connection.id, QStringLiteral("orders")))
            QVERIFY2(field.type() == FieldType::Unknown || field.type() == FieldType::Text,
                     qPrintable(field.path));
        // The view is there and empty.
        QCOMPARE(count(*fx.catalog, QStringLiteral("SELECT count(*) FROM local__orders")), 0);
    }

    void columnTypesOverrideInference()
    {
        QTemporaryDir data;
        const QString file = data.filePath(QStringLiteral("orders.csv"));
        QVERIFY(writeFile(file, "order_id,quantity\n1,3\n2,\n10,12\n"));
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection =
            fx.addConnection(QStringLiteral("local"), QStringLiteral("files"),
                             {{QStringLiteral("path"), file},
                              {QStringLiteral("key_column"), QStringLiteral("order_id")},
                              {QStringLiteral("column_types"), QJsonArray{QStringLiteral("order_id=text")}}});
        QVERIFY(connection.id > 0);
        const RunSummary summary = fx.sync(connection, fullSync());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        Catalog &c = *fx.catalog;
        QCOMPARE(count(c, QStringLiteral("SELECT count(*) FROM local__orders")), 3);
        QCOMPARE(
            count(c, QStringLiteral("SELECT count(*) FROM local__orders WHERE typeof(order_id) <> 'text'")),
            0);
        // As text, '10' sorts before '2'.
        QCOMPARE(scalar(c, QStringLiteral("SELECT max(order_id) FROM local__orders")).toString(),
                 QStringLiteral("2"));
        // Columns it does not name are still inferred.
        QCOMPARE(
            count(c, QStringLiteral("SELECT count(*) FROM local__orders WHERE typeof(quantity) = 'integer'")),
            2);
        const FieldStats orderId =
            fieldOf(c.entityFields(connection.id, QStringLiteral("orders")), QStringLiteral("order_id"));
        QCOMPARE(fieldTypeName(orderId.declared), QStringLiteral("text"));
        QCOMPARE(orderId.misfits(), 0);
    }

    void stripeTimestampsObjectsAndLines()
    {
        FakeStripeServer server;
        QVERIFY(server.start());
        server.seed(QStringLiteral("customers"), 250);
        server.seed(QStringLiteral("invoices"), 60);
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection =
            fx.addConnection(QStringLiteral("Stripe prod"), QStringLiteral("stripe"),
                             {{QStringLiteral("api_key"), QStringLiteral("sk_test_mako")},
                              {QStringLiteral("base_url"), server.baseUrl().toString()},
                              {QStringLiteral("max_retries"), 4}});
        QVERIFY(connection.id > 0);
        const RunSummary summary =
            fx.sync(connection, fullSync({QStringLiteral("customers"), QStringLiteral("invoices")}));
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        Catalog &c = *fx.catalog;

        // customers: `created` ISO-8601 UTC beside the Unix seconds; address.city flattened.
        QHash<QString, QString> cities; // id -> address.city as the server rendered it
        for (const QString &id : server.ids(QStringLiteral("customers"))) {
            const QJsonObject record =
                QJsonDocument::fromJson(server.recordJson(QStringLiteral("customers"), id)).object();
            const QJsonValue city =
                record.value(QStringLiteral("address")).toObject().value(QStringLiteral("city"));
            cities.insert(id, city.isString() ? city.toString() : QString());
        }
        QCOMPARE(cities.size(), 250);
        QSqlQuery q(c.database());
        QVERIFY2(
            q.exec(QStringLiteral("SELECT _key, created, created__raw, typeof(created__raw), address__city "
                                  "FROM stripe_prod__customers")),
            qPrintable(q.lastError().text()));
        const QRegularExpression iso(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"));
        int rows = 0;
        while (q.next()) {
            ++rows;
            const QString key = q.value(0).toString();
            QVERIFY2(iso.match(q.value(1).toString()).hasMatch(), qPrintable(key + q.value(1).toString()));
            QCOMPARE(q.value(3).toString(), QStringLiteral("integer"));
            QCOMPARE(q.value(1).toString(),
                     QDateTime::fromSecsSinceEpoch(q.value(2).toLongLong(), QTimeZone::utc())
                         .toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss'Z'")));
            QVERIFY2(cities.contains(key), qPrintable(key));
            QCOMPARE(q.value(4).isNull(), cities.value(key).isNull());
            QCOMPARE(q.value(4).toString(), cities.value(key));
        }
        QCOMPARE(rows, 250);
        QCOMPARE(count(c, QStringLiteral(
                              "SELECT count(*) FROM stripe_prod__customers WHERE address__city IS NOT NULL")),
                 qint64(std::count_if(cities.cbegin(), cities.cend(),
                                      [](const QString &city) { return !city.isNull(); })));

        // invoices: one child row per line item, keyed by its invoice and position.
        QSet<QString> expected; // invoice/position/line id
        for (const QString &id : server.ids(QStringLiteral("invoices"))) {
            const QJsonObject record =
                QJsonDocument::fromJson(server.recordJson(QStringLiteral("invoices"), id)).object();
            const QJsonArray lines =
                record.value(QStringLiteral("lines")).toObject().value(QStringLiteral("data")).toArray();
            QVERIFY(!lines.isEmpty());
            for (qsizetype i = 0; i < lines.size(); ++i)
                expected.insert(QStringLiteral("%1/%2/%3")
                                    .arg(id)
                                    .arg(i)
                                    .arg(lines.at(i).toObject().value(QStringLiteral("id")).toString()));
        }
        QVERIFY(expected.size() > 60); // 1 to 3 lines each
        QCOMPARE(count(c, QStringLiteral("SELECT count(*) FROM stripe_prod__invoices__lines")),
                 qint64(expected.size()));
        QCOMPARE(
            count(c, QStringLiteral("SELECT sum(json_array_length(data, '$.lines.data')) FROM records WHERE "
                                    "entity = 'invoices'")),
            qint64(expected.size()));
        QSet<QString> actual;
        QVERIFY2(q.exec(QStringLiteral("SELECT _parent_key, _position, id, typeof(amount), typeof(quantity) "
                                       "FROM stripe_prod__invoices__lines")),
                 qPrintable(q.lastError().text()));
        while (q.next()) {
            QVERIFY(!q.value(0).isNull());
            QVERIFY(!q.value(1).isNull());
            QCOMPARE(q.value(3).toString(), QStringLiteral("integer"));
            QCOMPARE(q.value(4).toString(), QStringLiteral("integer"));
            actual.insert(QStringLiteral("%1/%2/%3")
                              .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString()));
        }
        QCOMPARE(actual, expected);
    }

    void typeChangeIsLoggedNotCoerced()
    {
        QTemporaryDir data;
        const QString file = data.filePath(QStringLiteral("qty.csv"));
        QByteArray before = "id,quantity\n";
        for (int n = 1; n <= 50; ++n)
            before += QByteArray::number(n) + ',' + QByteArray::number(n) + '\n';
        QVERIFY(writeFile(file, before));
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection = fx.addConnection(
            QStringLiteral("local"), QStringLiteral("files"),
            {{QStringLiteral("path"), file}, {QStringLiteral("key_column"), QStringLiteral("id")}});
        QVERIFY(connection.id > 0);
        const RunSummary first = fx.sync(connection, fullSync());
        QVERIFY2(first.status == QLatin1String("done"), qPrintable(first.error));
        Catalog &c = *fx.catalog;
        QCOMPARE(
            count(c, QStringLiteral("SELECT count(*) FROM local__qty WHERE typeof(quantity) = 'integer'")),
            50);
        const auto messages = [&](qint64 runId) {
            QStringList list;
            for (const RunLogEntry &entry : c.runLog(runId))
                list.append(entry.level + QLatin1Char(' ') + entry.entity + QLatin1String(": ") +
                            entry.message);
            return list;
        };
        QVERIFY(!messages(first.runId).join(QLatin1Char('\n')).contains(QLatin1String("was integer")));

        // 30 of the 50 become text ("1 pcs"), the rest stay numbers.
        QByteArray after = "id,quantity\n";
        for (int n = 1; n <= 50; ++n)
            after += QByteArray::number(n) + ',' + QByteArray::number(n) + (n <= 30 ? " pcs" : "") + '\n';
        QVERIFY(writeFile(file, after));
        const RunSummary second = fx.sync(connection, fullSync());
        QVERIFY2(second.status == QLatin1String("done"), qPrintable(second.error));
        const QStringList log = messages(second.runId);
        QVERIFY2(log.contains(QStringLiteral("warning qty: The field quantity was integer and is now text: "
                                             "30 of its values are not integer")),
                 qPrintable(log.join(QLatin1Char('\n'))));

        // Said, not coerced: the records hold the text as read, the view shows it as text.
        QCOMPARE(scalar(c, QStringLiteral(
                               "SELECT json_extract(_json, '$.quantity') FROM local__qty WHERE _key = '7'"))
                     .toString(),
                 QStringLiteral("7 pcs"));
        QCOMPARE(scalar(c, QStringLiteral("SELECT quantity FROM local__qty WHERE _key = '7'")).toString(),
                 QStringLiteral("7 pcs"));
        QCOMPARE(count(c, QStringLiteral("SELECT count(*) FROM local__qty WHERE typeof(quantity) = 'text'")),
                 50);
        QCOMPARE(fieldTypeName(
                     fieldOf(c.entityFields(connection.id, QStringLiteral("qty")), QStringLiteral("quantity"))
                         .type()),
                 QStringLiteral("text"));
    }
};

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
