// Exports of typed records: CSV (nulls as empty cells, ISO dates, delimiter, BOM, flattened or not), XLSX
// read back from its sheet XML (typed number, boolean and date cells, header, frozen row, autofilter, Excel's
// row limit refused before writing), the SQL console's SELECT export, and `mako-connect-cli records`.
#include "columnprofile.h"
#include "fakestripeserver.h"
#include "readonlydb.h"
#include "recordsquery.h"
#include "tableexport.h"
#include "testcatalog.h"
#include "testutil.h"

#include <QDate>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QXmlStreamReader>

namespace {

struct Cell
{
    QString type;  // the t attribute: "" (number), "b", "inlineStr", "s", "str"
    QString style; // the s attribute: a number format such as a date's
    QString value; // <v>, or the inline string's text
};
using Sheet = QList<QList<Cell>>;

QByteArray unzip(const QString &xlsx, const QString &member)
{
    QProcess unzip;
    unzip.start(QStringLiteral("unzip"), {QStringLiteral("-p"), xlsx, member});
    if (!unzip.waitForFinished(60000) || unzip.exitCode() != 0)
        return {};
    return unzip.readAllStandardOutput();
}

// The column of a cell reference: "A1" -> 0, "AB7" -> 27.
int columnIndex(QStringView reference)
{
    int column = 0;
    for (const QChar ch : reference) {
        if (!ch.isUpper())
            break;
        column = column * 26 + (ch.unicode() - 'A' + 1);
    }
    return column - 1;
}

// A small reader for the one sheet an export writes: rows of cells by column (a null is no cell at all).
Sheet readSheet(const QByteArray &xml)
{
    Sheet rows;
    QXmlStreamReader reader(xml);
    while (!reader.atEnd()) {
        reader.readNext();
        if (!reader.isStartElement())
            continue;
        if (reader.name() == QLatin1String("row")) {
            rows.append(QList<Cell>());
        } else if (reader.name() == QLatin1String("c") && !rows.isEmpty()) {
            Cell cell;
            cell.type = reader.attributes().value(QLatin1String("t")).toString();
            cell.style = reader.attributes().value(QLatin1String("s")).toString();
            const int column = columnIndex(reader.attributes().value(QLatin1String("r")));
            while (rows.last().size() < column)
                rows.last().append(Cell{QStringLiteral("blank"), {}, {}});
            rows.last().append(cell);
        } else if ((reader.name() == QLatin1String("v") || reader.name() == QLatin1String("t")) &&
                   !rows.isEmpty() && !rows.last().isEmpty()) {
            rows.last().last().value = reader.readElementText();
        }
    }
    return rows;
}

int columnOf(const QList<Cell> &header, const QString &name)
{
    for (int c = 0; c < header.size(); ++c)
        if (header.at(c).value == name)
            return c;
    return -1;
}

QList<QByteArray> fileLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    for (QByteArray &line : lines)
        if (line.endsWith('\r'))
            line.chop(1);
    return lines;
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private:
    FakeStripeServer m_server;
    EngineFixture m_fx;
    ConnectionInfo m_stripe;
    ConnectionInfo m_files;
    QTemporaryDir m_out;
    QString m_dbName;

    QSqlDatabase db() { return QSqlDatabase::database(m_dbName); }

    RecordsQuery query(const ConnectionInfo &connection, const QString &entity, const QString &key,
                       bool flatten = true)
    {
        RecordsQuery q;
        q.backend = CatalogLocation::backendOf(m_fx.catalogPath);
        q.connectionId = connection.id;
        q.entity = entity;
        q.keyName = key;
        q.loadColumns(db(), flatten);
        return q;
    }

    ExportResult exportTo(const RecordsQuery &q, const ExportOptions &options, const QString &path)
    {
        return exportRecords(db(), q, options, path);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        m_server.seed(QStringLiteral("customers"), 300);
        QVERIFY(m_fx.open());
        m_stripe = m_fx.addConnection(QStringLiteral("Stripe prod"), QStringLiteral("stripe"),
                                      {{QStringLiteral("api_key"), QStringLiteral("sk_test_mako")},
                                       {QStringLiteral("base_url"), m_server.baseUrl().toString()}});
        QVERIFY(m_stripe.id > 0);
        SyncOptions options;
        options.entities = {QStringLiteral("customers")};
        QCOMPARE(m_fx.sync(m_stripe, options).status, QStringLiteral("done"));

        // A CSV with empty cells: they are nulls, exported as empty cells, never 0 or "null".
        QFile csv(m_out.filePath(QStringLiteral("orders.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("order_id,quantity,unit_price,ordered_on\n");
        for (int i = 1; i <= 20; ++i)
            csv.write(QStringLiteral("%1,%2,%3,2024-12-%4\n")
                          .arg(i)
                          .arg(i % 5 == 0 ? QString() : QString::number(i))
                          .arg(i * 1.5)
                          .arg(i, 2, 10, QLatin1Char('0'))
                          .toUtf8());
        csv.close();
        m_files = m_fx.addConnection(QStringLiteral("local"), QStringLiteral("files"),
                                     {{QStringLiteral("path"), csv.fileName()},
                                      {QStringLiteral("key_column"), QStringLiteral("order_id")}});
        QVERIFY(m_files.id > 0);
        QCOMPARE(m_fx.sync(m_files).status, QStringLiteral("done"));

        m_dbName = ReadOnlyDb::uniqueName(QStringLiteral("tst-export"));
        QVERIFY(ReadOnlyDb::open(m_fx.catalogPath, m_dbName).isOpen());
    }

    void cleanupTestCase() { ReadOnlyDb::close(m_dbName); }

    void recordsQueryComparesByType_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<qint64>("expected");
        // quantity is 1..20 with every fifth cell empty; ordered_on is 2024-12-<order_id>.
        QTest::newRow("quantity > 15") << "quantity"
                                       << ">15" << qint64(4); // 16 17 18 19
        QTest::newRow("quantity < 15") << "quantity"
                                       << "<15" << qint64(12);
        QTest::newRow("quantity = 7") << "quantity"
                                      << "=7" << qint64(1);
        QTest::newRow("quantity is null") << "quantity"
                                          << "=" << qint64(4);
        QTest::newRow("unit_price >= 9.5") << "unit_price"
                                           << ">=9.5" << qint64(14); // 7 * 1.5 = 10.5 on
        QTest::newRow("order_id > 9") << "order_id"
                                      << ">9" << qint64(11);
        QTest::newRow("date = day") << "ordered_on"
                                    << "=2024-12-05" << qint64(1);
        QTest::newRow("date > day") << "ordered_on"
                                    << ">2024-12-10" << qint64(10);
        QTest::newRow("date >= day") << "ordered_on"
                                     << ">=2024-12-10" << qint64(11);
        QTest::newRow("date < day") << "ordered_on"
                                    << "<2024-12-03" << qint64(2);
        QTest::newRow("date <= day") << "ordered_on"
                                     << "<=2024-12-03" << qint64(3);
    }

    void recordsQueryComparesByType()
    {
        QFETCH(QString, column);
        QFETCH(QString, filter);
        QFETCH(qint64, expected);
        RecordsQuery q = query(m_files, QStringLiteral("orders"), QStringLiteral("order_id"));
        int index = -1;
        for (int c = 0; c < q.columnCount(); ++c)
            if (q.columnName(c) == column)
                index = c;
        QVERIFY(index >= 0);
        q.columnFilters.insert(index, filter);
        QCOMPARE(q.filterProblem(index), QString());
        QVariantList binds;
        QSqlQuery count(db());
        QVERIFY(count.prepare(q.countSql(&binds)));
        for (const QVariant &value : binds)
            count.addBindValue(value);
        QVERIFY(count.exec() && count.next());
        QCOMPARE(count.value(0).toLongLong(), expected);
    }

    void recordsQuerySortsNumbersAsNumbers()
    {
        RecordsQuery q = query(m_files, QStringLiteral("orders"), QStringLiteral("order_id"));
        q.sortColumn = 2; // unit_price: 30 before 4.5, as numbers
        QCOMPARE(q.columnName(2), QStringLiteral("unit_price"));
        q.order = Qt::DescendingOrder;
        QVariantList binds;
        QSqlQuery page(db());
        QVERIFY(page.prepare(q.pageSql(&binds, 3, 0, {})));
        for (const QVariant &value : binds)
            page.addBindValue(value);
        QVERIFY(page.exec());
        QStringList keys;
        while (page.next())
            keys << page.value(0).toString();
        QCOMPARE(keys, (QStringList{"20", "19", "18"}));
        q.sortColumn = 0; // the numeric key: 1, 2, 3 ... 10, not 1, 10, 11
        q.order = Qt::AscendingOrder;
        binds.clear();
        QVERIFY(page.prepare(q.pageSql(&binds, 11, 0, {})));
        for (const QVariant &value : binds)
            page.addBindValue(value);
        QVERIFY(page.exec());
        keys.clear();
        while (page.next())
            keys << page.value(0).toString();
        QCOMPARE(keys.at(9), QStringLiteral("10"));
        QCOMPARE(keys.at(10), QStringLiteral("11"));
        QCOMPARE(keys.at(1), QStringLiteral("2"));
    }

    // A column's profile covers every matching record and agrees with plain SQL on the typed view.
    void columnProfileAgreesWithSql()
    {
        RecordsQuery q = query(m_files, QStringLiteral("orders"), QStringLiteral("order_id"));
        const auto columnOf = [&](const QString &name) {
            for (int c = 0; c < q.columnCount(); ++c)
                if (q.columnName(c) == name)
                    return c;
            return -1;
        };
        QSqlQuery sql(db());
        QVERIFY(sql.exec(QStringLiteral("SELECT count(*), count(quantity), count(DISTINCT quantity), "
                                        "min(quantity), max(quantity) FROM local__orders")));
        QVERIFY(sql.next());
        ColumnProfile profile;
        QString error;
        QList<ColumnProfiler::Step> steps;
        QVERIFY2(ColumnProfiler::profile(db(), q, columnOf(QStringLiteral("quantity")), &profile, &error,
                                         [&](ColumnProfiler::Step step) {
                                             steps.append(step);
                                             return true;
                                         }),
                 qPrintable(error));
        QCOMPARE(steps.size(), 3);
        QCOMPARE(profile.type, FieldType::Integer);
        QCOMPARE(profile.rows, sql.value(0).toLongLong());                 // 20
        QCOMPARE(profile.nulls, profile.rows - sql.value(1).toLongLong()); // every fifth cell is empty
        QCOMPARE(profile.nulls, qint64(4));
        QCOMPARE(profile.distinct, sql.value(2).toLongLong());
        QCOMPARE(profile.min.toLongLong(), sql.value(3).toLongLong());
        QCOMPARE(profile.max.toLongLong(), qint64(19));
        QCOMPARE(profile.top.size(), ColumnProfiler::kTopValues);
        QCOMPARE(profile.top.first(), (QPair<QVariant, qint64>(qint64(1), 1))); // ties in value order
        // Whole numbers 1..19: one bar each, the empty ones (5, 10, 15) too.
        QCOMPARE(profile.unit, HistogramUnit::Number);
        QCOMPARE(profile.histogram.size(), 19);
        QCOMPARE(profile.histogram.at(4).label, QStringLiteral("5"));
        QCOMPARE(profile.histogram.at(4).count, qint64(0));
        qint64 binned = 0;
        for (const HistogramBin &bin : std::as_const(profile.histogram))
            binned += bin.count;
        QCOMPARE(binned, profile.rows - profile.nulls);

        // Real numbers in 20 equal bins; the top value in the last.
        QVERIFY(ColumnProfiler::profile(db(), q, columnOf(QStringLiteral("unit_price")), &profile, &error));
        QCOMPARE(profile.histogram.size(), ColumnProfiler::kNumberBins);
        QCOMPARE(profile.histogram.first().count, qint64(1)); // 1.5
        QCOMPARE(profile.histogram.last().count, qint64(1));  // 30
        QCOMPARE(profile.min.toDouble(), 1.5);

        // Dates by day over a span of 20 days, and the filters of the view apply.
        q.columnFilters.insert(columnOf(QStringLiteral("quantity")), QStringLiteral(">10"));
        QVERIFY(ColumnProfiler::profile(db(), q, columnOf(QStringLiteral("ordered_on")), &profile, &error));
        QCOMPARE(profile.rows, qint64(8)); // 11..19 but 15
        QCOMPARE(profile.unit, HistogramUnit::Day);
        QCOMPARE(profile.min.toString(), QStringLiteral("2024-12-11"));
        QCOMPARE(profile.histogram.first().label, QStringLiteral("2024-12-11"));
        QCOMPARE(profile.histogram.size(), 8);

        // Booleans and timestamps of the synced Stripe customers.
        RecordsQuery customers = query(m_stripe, QStringLiteral("customers"), QStringLiteral("id"));
        int livemode = -1, created = -1;
        for (int c = 0; c < customers.columnCount(); ++c) {
            if (customers.columnName(c) == QLatin1String("livemode"))
                livemode = c;
            if (customers.columnName(c) == QLatin1String("created"))
                created = c;
        }
        QVERIFY(livemode > 0 && created > 0);
        QVERIFY(ColumnProfiler::profile(db(), customers, livemode, &profile, &error));
        QCOMPARE(profile.type, FieldType::Boolean);
        QCOMPARE(profile.top, (QList<QPair<QVariant, qint64>>{{false, 300}}));
        QVERIFY(ColumnProfiler::profile(db(), customers, created, &profile, &error));
        QCOMPARE(profile.type, FieldType::Timestamp);
        QCOMPARE(profile.distinct, qint64(300));
        QVERIFY2(profile.min.toString().endsWith(QLatin1Char('Z')), qPrintable(profile.min.toString()));
        qint64 all = 0;
        for (const HistogramBin &bin : std::as_const(profile.histogram))
            all += bin.count;
        QCOMPARE(all, qint64(300));
    }

    void csvWritesNullsAsEmptyCellsAndNumbersAsNumbers()
    {
        const QString path = m_out.filePath(QStringLiteral("orders-export.csv"));
        const ExportResult result =
            exportTo(query(m_files, QStringLiteral("orders"), QStringLiteral("order_id")), {}, path);
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.rows, 20);
        const QList<QByteArray> lines = fileLines(path);
        QCOMPARE(lines.size(), 21);
        QCOMPARE(lines.first(), QByteArray("order_id,quantity,unit_price,ordered_on"));
        // Sorted by the numeric key: 1, 2, ... 10, not 1, 10, 11.
        QCOMPARE(lines.at(1), QByteArray("1,1,1.5,2024-12-01"));
        QCOMPARE(lines.at(5), QByteArray("5,,7.5,2024-12-05"));
        QCOMPARE(lines.at(10), QByteArray("10,,15,2024-12-10"));

        ExportOptions words;
        words.nullAsEmpty = false;
        QVERIFY(
            exportTo(query(m_files, QStringLiteral("orders"), QStringLiteral("order_id")), words, path).ok);
        QCOMPARE(fileLines(path).at(5), QByteArray("5,null,7.5,2024-12-05"));
    }

    void csvOptionsDelimiterBomDatesAndFlattening()
    {
        const QString path = m_out.filePath(QStringLiteral("customers.csv"));
        const QString id = QStringLiteral("cus_0000000001"); // the first by key
        const QJsonObject sent =
            QJsonDocument::fromJson(m_server.recordJson(QStringLiteral("customers"), id)).object();
        const qint64 created = sent.value(QStringLiteral("created")).toInteger();
        const QByteArray iso = QDateTime::fromSecsSinceEpoch(created, Qt::UTC)
                                   .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"))
                                   .toUtf8();

        ExportOptions options;
        options.delimiter = QLatin1Char(';');
        options.utf8Bom = true;
        RecordsQuery q = query(m_stripe, QStringLiteral("customers"), QStringLiteral("id"));
        QVERIFY(exportTo(q, options, path).ok);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.read(3) == QByteArray("\xEF\xBB\xBF"));
        file.close();
        QList<QByteArray> lines = fileLines(path);
        QCOMPARE(lines.size(), 301);
        const QList<QByteArray> header = lines.first().mid(3).split(';');
        QVERIFY2(header.contains("address__city") && header.contains("metadata__plan") &&
                     !header.contains("address"),
                 lines.first().constData());
        const QList<QByteArray> first = lines.at(1).split(';');
        QCOMPARE(first.at(header.indexOf("id")), id.toUtf8());
        QCOMPARE(first.at(header.indexOf("created")), iso);
        QCOMPARE(first.at(header.indexOf("address__city")), sent.value(QStringLiteral("address"))
                                                                .toObject()
                                                                .value(QStringLiteral("city"))
                                                                .toString()
                                                                .toUtf8());
        QCOMPARE(first.at(header.indexOf("address__line2")), QByteArray()); // JSON null
        QCOMPARE(first.at(header.indexOf("delinquent")), sent.value(QStringLiteral("delinquent")).toBool()
                                                             ? QByteArray("true")
                                                             : QByteArray("false"));

        // Raw dates: the Unix seconds as Stripe sent them. Not flattened: the object as its JSON text.
        ExportOptions raw;
        raw.isoDates = false;
        raw.flatten = false;
        QVERIFY(exportTo(q, raw, path).ok);
        lines = fileLines(path);
        const QList<QByteArray> rawHeader = lines.first().split(',');
        QVERIFY(rawHeader.contains("address") && !rawHeader.contains("address__city"));
        QVERIFY(lines.at(1).contains(',' + QByteArray::number(created) + ','));
        QVERIFY(lines.at(1).contains("\"{\"\"city\"\":"));
    }

    void xlsxHasTypedCellsHeaderFrozenRowAndFilter()
    {
        const QString path = m_out.filePath(QStringLiteral("customers.xlsx"));
        ExportOptions options;
        options.format = ExportFormat::Xlsx;
        const ExportResult result =
            exportTo(query(m_stripe, QStringLiteral("customers"), QStringLiteral("id")), options, path);
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.rows, 300);
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
        const QByteArray xml = unzip(path, QStringLiteral("xl/worksheets/sheet1.xml"));
        QVERIFY2(!xml.isEmpty(), "unzip could not read the sheet");
        const Sheet sheet = readSheet(xml);
        QCOMPARE(sheet.size(), 301); // header + one row per record
        const QList<Cell> &header = sheet.first();
        const int created = columnOf(header, QStringLiteral("created"));
        const int balance = columnOf(header, QStringLiteral("balance"));
        const int delinquent = columnOf(header, QStringLiteral("delinquent"));
        const int city = columnOf(header, QStringLiteral("address__city"));
        QVERIFY(created >= 0 && balance >= 0 && delinquent >= 0 && city >= 0);
        QVERIFY(xml.contains("state=\"frozen\""));
        QVERIFY(xml.contains("<autoFilter ref=\"A1:"));

        const QString id = QStringLiteral("cus_0000000001"); // the first by key
        const QJsonObject sent =
            QJsonDocument::fromJson(m_server.recordJson(QStringLiteral("customers"), id)).object();
        const QList<Cell> &row = sheet.at(1);
        QCOMPARE(row.at(0).value, id);
        // Numbers as numbers, booleans as booleans, dates as Excel serial dates with a date format.
        QCOMPARE(row.at(balance).type, QString());
        QCOMPARE(row.at(balance).value.toLongLong(), sent.value(QStringLiteral("balance")).toInteger());
        QCOMPARE(row.at(delinquent).type, QStringLiteral("b"));
        QCOMPARE(row.at(created).type, QString());
        QVERIFY(!row.at(created).style.isEmpty());
        const double serial = double(sent.value(QStringLiteral("created")).toInteger()) / 86400.0 + 25569.0;
        QVERIFY(qAbs(row.at(created).value.toDouble() - serial) < 1e-6);
        QVERIFY(row.at(city).type == QLatin1String("inlineStr") || row.at(city).type == QLatin1String("s"));
        const QByteArray styles = unzip(path, QStringLiteral("xl/styles.xml"));
        QVERIFY(styles.contains("yyyy-mm-dd hh:mm:ss"));

        // A numeric key is a number cell; an empty CSV cell is no cell at all; a date a date-formatted
        // number.
        const QString orders = m_out.filePath(QStringLiteral("orders.xlsx"));
        QVERIFY(
            exportTo(query(m_files, QStringLiteral("orders"), QStringLiteral("order_id")), options, orders)
                .ok);
        const Sheet rows = readSheet(unzip(orders, QStringLiteral("xl/worksheets/sheet1.xml")));
        QCOMPARE(rows.size(), 21);
        QCOMPARE(rows.at(1).at(0).type, QString());
        QCOMPARE(rows.at(1).at(0).value, QStringLiteral("1"));
        QCOMPARE(rows.at(5).at(1).type, QStringLiteral("blank")); // order 5: quantity empty
        QCOMPARE(rows.at(5).at(3).value.toDouble(),
                 double(QDate(2024, 12, 5).toJulianDay() - QDate(1899, 12, 30).toJulianDay()));
        QVERIFY(!rows.at(5).at(3).style.isEmpty());
    }

    void xlsxRefusesMoreRowsThanASheetHoldsBeforeWriting()
    {
        // 1,048,576 rows written straight into the catalog: one more than a sheet holds below its header.
        {
            QSqlQuery insert(m_fx.catalog->database());
            const QString rows =
                TestCatalogs::onPostgres()
                    ? QStringLiteral("SELECT %1, 'big', lpad(i::text, 7, '0'), jsonb_build_object('i', i), 0 "
                                     "FROM generate_series(1, 1048576) i")
                    : QStringLiteral(
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                          "1048576) SELECT %1, 'big', printf('%07d', i), '{\"i\":' || i || '}', 0 FROM n");
            QVERIFY(
                insert.exec(QStringLiteral("INSERT INTO records (connection_id, entity, record_key, data, "
                                           "synced_at) ") +
                            rows.arg(m_files.id)));
        }
        const QString path = m_out.filePath(QStringLiteral("big.xlsx"));
        ExportOptions options;
        options.format = ExportFormat::Xlsx;
        const ExportResult result =
            exportTo(query(m_files, QStringLiteral("big"), QStringLiteral("id")), options, path);
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("1,048,576 rows")) &&
                     result.error.contains(QStringLiteral("CSV")),
                 qPrintable(result.error));
        QCOMPARE(result.rows, 0);
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
        QSqlQuery cleanup(m_fx.catalog->database());
        QVERIFY(cleanup.exec(QStringLiteral("DELETE FROM records WHERE entity = 'big'")));
    }

    void cancelledExportLeavesNoFile()
    {
        const QString path = m_out.filePath(QStringLiteral("cancelled.xlsx"));
        ExportOptions options;
        options.format = ExportFormat::Xlsx;
        const std::atomic<bool> cancelled{true};
        const ExportResult result =
            exportRecords(db(), query(m_stripe, QStringLiteral("customers"), QStringLiteral("id")), options,
                          path, {}, &cancelled);
        QVERIFY(!result.ok);
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
    }

    void selectExportsEveryRowAndRefusesWrites()
    {
        const QString path = m_out.filePath(QStringLiteral("query.xlsx"));
        ExportOptions options;
        options.format = ExportFormat::Xlsx;
        ExportResult result = exportSelect(
            db(), QStringLiteral("SELECT _key, balance, created FROM stripe_prod__customers ORDER BY _key;"),
            options, path);
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.rows, 300);
        const Sheet sheet = readSheet(unzip(path, QStringLiteral("xl/worksheets/sheet1.xml")));
        QCOMPARE(sheet.size(), 301);
        QCOMPARE(sheet.first().at(1).value, QStringLiteral("balance"));
        QCOMPARE(sheet.at(1).at(1).type, QString()); // a number cell

        result = exportSelect(db(), QStringLiteral("DELETE FROM records"), {}, m_out.filePath("x.csv"));
        QVERIFY(!result.ok);
        QVERIFY(!result.error.isEmpty());
        QVERIFY(!QFile::exists(m_out.filePath("x.csv")));
    }

    // What a person types runs alone and reads only, and nothing it sets outlives it: on PostgreSQL a SET
    // that would turn the session's read-only mode off is rolled back with the statement's transaction.
    void consoleStatementsReadOnlyAndAlone_data()
    {
        QTest::addColumn<QString>("first");
        QTest::newRow("read-write default")
            << (TestCatalogs::onPostgres() ? QStringLiteral("SET default_transaction_read_only = off")
                                           : QStringLiteral("PRAGMA query_only = 0"));
        QTest::newRow("read-write session")
            << (TestCatalogs::onPostgres()
                    ? QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
                    : QStringLiteral("PRAGMA query_only = false"));
        QTest::newRow("commit") << QStringLiteral("COMMIT");
        QTest::newRow("begin") << QStringLiteral("BEGIN");
    }
    void consoleStatementsReadOnlyAndAlone()
    {
        QFETCH(QString, first);
        const auto count = [&] {
            QSqlQuery q(db());
            return q.exec(QStringLiteral("SELECT count(*) FROM records")) && q.next()
                       ? q.value(0).toLongLong()
                       : -1;
        };
        const qint64 before = count();
        QVERIFY(before > 0);
        QString error;
        {
            QSqlQuery q(db());
            ReadOnlyDb::execStatement(db(), q, first, &error);
            q.finish();
            ReadOnlyDb::finishStatement(db());
        }
        for (const QString &write : {QStringLiteral("DELETE FROM records"),
                                     QStringLiteral("UPDATE records SET data = data WHERE 1 = 0")}) {
            QSqlQuery q(db());
            QVERIFY2(ReadOnlyDb::execStatement(db(), q, write, &error) != ReadOnlyDb::Outcome::Ran,
                     qPrintable(write));
            QVERIFY(!error.isEmpty());
        }
        QSqlQuery q(db());
        QCOMPARE(ReadOnlyDb::execStatement(db(), q, QStringLiteral("SELECT 1; DELETE FROM records"), &error),
                 ReadOnlyDb::Outcome::Refused);
        QCOMPARE(error, QStringLiteral("Only one statement at a time: run the statements one by one"));
        QCOMPARE(count(), before);
        // And a read still runs, with the statement's trailing semicolon.
        QCOMPARE(ReadOnlyDb::execStatement(db(), q, QStringLiteral("SELECT count(*) FROM records;"), &error),
                 ReadOnlyDb::Outcome::Ran);
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), before);
        q.finish();
        ReadOnlyDb::finishStatement(db());
    }

    void cliRecordsWritesXlsxAndCsv()
    {
        const QString xlsx = m_out.filePath(QStringLiteral("cli.xlsx"));
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MAKO_CONNECT_SECRETS"), QStringLiteral("file"));
        cli.setProcessEnvironment(env);
        cli.start(QStringLiteral(MC_CLI_PATH),
                  {QStringLiteral("--catalog"), m_fx.catalogPath, QStringLiteral("records"),
                   QStringLiteral("Stripe prod"), QStringLiteral("customers"), QStringLiteral("--format"),
                   QStringLiteral("xlsx"), QStringLiteral("--output"), xlsx, QStringLiteral("--flatten")});
        QVERIFY(cli.waitForFinished(60000));
        const QByteArray said = cli.readAllStandardError();
        QVERIFY2(cli.exitCode() == 0, said.constData());
        QVERIFY2(said.contains("Exported 300 records"), said.constData());
        const Sheet sheet = readSheet(unzip(xlsx, QStringLiteral("xl/worksheets/sheet1.xml")));
        QCOMPARE(sheet.size(), 301);
        QVERIFY(columnOf(sheet.first(), QStringLiteral("address__city")) > 0);

        // An XLSX needs a file; standard output is for CSV and JSON Lines.
        cli.start(QStringLiteral(MC_CLI_PATH),
                  {QStringLiteral("--catalog"), m_fx.catalogPath, QStringLiteral("records"),
                   QStringLiteral("Stripe prod"), QStringLiteral("customers"), QStringLiteral("--format"),
                   QStringLiteral("xlsx")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 2);
        QVERIFY(cli.readAllStandardError().contains("--output"));

        cli.start(QStringLiteral(MC_CLI_PATH),
                  {QStringLiteral("--catalog"), m_fx.catalogPath, QStringLiteral("records"),
                   QStringLiteral("local"), QStringLiteral("orders"), QStringLiteral("--format"),
                   QStringLiteral("csv")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const QList<QByteArray> lines = cli.readAllStandardOutput().split('\n');
        QCOMPARE(lines.at(5).trimmed(), QByteArray("5,,7.5,2024-12-05"));
    }

    void cliRecordsCsvFlags()
    {
        const auto run = [&](QStringList flags, QByteArray *out, QByteArray *err) {
            QProcess cli;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("MAKO_CONNECT_SECRETS"), QStringLiteral("file"));
            cli.setProcessEnvironment(env);
            cli.start(QStringLiteral(MC_CLI_PATH),
                      QStringList{QStringLiteral("--catalog"), m_fx.catalogPath, QStringLiteral("records"),
                                  QStringLiteral("local"), QStringLiteral("orders")} +
                          flags);
            if (!cli.waitForFinished(60000))
                return -1;
            *out = cli.readAllStandardOutput();
            *err = cli.readAllStandardError();
            return cli.exitCode();
        };
        QByteArray out, err;
        QCOMPARE(run({QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--delimiter"),
                      QStringLiteral("tab"), QStringLiteral("--bom"), QStringLiteral("--null-text")},
                     &out, &err),
                 0);
        QVERIFY(out.startsWith("\xEF\xBB\xBForder_id\tquantity\tunit_price\tordered_on"));
        QCOMPARE(out.split('\n').at(5).trimmed(), QByteArray("5\tnull\t7.5\t2024-12-05"));

        QCOMPARE(run({QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--delimiter"),
                      QStringLiteral("x")},
                     &out, &err),
                 2);
        QVERIFY2(err.contains("--delimiter takes"), err.constData());
        // CSV flags on another format are a mistake said, not ignored.
        QCOMPARE(
            run({QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--bom")}, &out, &err),
            2);
        QVERIFY2(err.contains("for --format csv"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
