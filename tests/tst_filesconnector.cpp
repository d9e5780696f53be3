// The local files connector: CSV (RFC 4180 quoting, BOM, CRLF, TSV) and JSON Lines files in a folder,
// entities from the config or one per file, key column or row hash, resume by byte offset through serialised
// state, incremental by modification time, malformed rows named by file and line, and the CLI path.
#include "files/filesconnector.h"
#include "testutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTimeZone>

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content) == content.size();
}

bool setModified(const QString &path, const QDateTime &when)
{
    QFile file(path);
    return file.open(QIODevice::ReadWrite) && file.setFileTime(when, QFileDevice::FileModificationTime);
}

QByteArray ordersCsv()
{
    // BOM, CRLF, quoted delimiter, quoted newline, doubled quotes, non-ASCII text, a blank line, a short row.
    return "\xEF\xBB\xBFid,customer,amount,note\r\n"
           "1,Ada,10.50,plain\r\n"
           "2,\"Lovelace, Ada\",20,\"said \"\"hi\"\"\"\r\n"
           "3,Grace,30,\"two\r\nlines\"\r\n"
           "\r\n"
           "4,Zo\xC3\xAB,40,caf\xC3\xA9\r\n"
           "5,Linus,50\r\n";
}

QByteArray eventsJsonl(int from, int to)
{
    QByteArray out;
    for (int n = from; n <= to; ++n) {
        out += "{\"event_id\": \"ev" + QByteArray::number(n) +
               "\", \"type\":\"click\", \"n\":" + QByteArray::number(n) + ", \"props\": {\"x\": [1, 2]}}\n";
        if (n % 10 == 0)
            out += "\n"; // blank lines are skipped
    }
    return out;
}

QByteArray bigCsv(int rows)
{
    QByteArray out = "sku,name,qty\n";
    for (int n = 1; n <= rows; ++n)
        out += "SKU" + QByteArray::number(n) + ",\"Item " + QByteArray::number(n) + ", large\"," +
               QByteArray::number(n % 9) + '\n';
    return out;
}

} // namespace

class TestFilesConnector : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir *m_dir = nullptr;
    EngineFixture *m_fx = nullptr;

    QString path(const QString &name) const { return QDir(m_dir->path()).filePath(name); }

    QJsonObject config(const QJsonObject &extra = {}) const
    {
        QJsonObject config{{QStringLiteral("path"), m_dir->path()}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            config.insert(it.key(), it.value());
        return config;
    }

    SyncOptions options(const QStringList &entities = {}, SyncMode mode = SyncMode::Full)
    {
        SyncOptions o;
        o.entities = entities;
        o.mode = mode;
        return o;
    }

    QList<QJsonObject> records(qint64 connectionId, const QString &entity)
    {
        QList<QJsonObject> list;
        QSqlQuery q(m_fx->catalog->database());
        q.prepare(QStringLiteral(
            "SELECT data FROM records WHERE connection_id = ? AND entity = ? ORDER BY record_key"));
        q.addBindValue(connectionId);
        q.addBindValue(entity);
        q.exec();
        while (q.next())
            list.append(QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object());
        return list;
    }

private slots:
    void init()
    {
        m_dir = new QTemporaryDir;
        QVERIFY(writeFile(path(QStringLiteral("orders.csv")), ordersCsv()));
        QVERIFY(writeFile(path(QStringLiteral("events.jsonl")), eventsJsonl(1, 45)));
        QVERIFY(writeFile(path(QStringLiteral("People List.tsv")), "name\tage\nAda\t36\nAlan\t41\n"));
        QVERIFY(writeFile(path(QStringLiteral("README.txt")), "not data"));
        const QDateTime old(QDate(2020, 1, 1), QTime(12, 0), QTimeZone::utc());
        for (const QString &name : {QStringLiteral("orders.csv"), QStringLiteral("events.jsonl"),
                                    QStringLiteral("People List.tsv")})
            QVERIFY(setModified(path(name), old));
        m_fx = new EngineFixture;
        QVERIFY(m_fx->open());
    }

    void cleanup()
    {
        delete m_fx;
        delete m_dir;
    }

    void everyFileOfTheFolderIsAnEntity()
    {
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(QStringLiteral("files"));
        QVERIFY(metadata && metadata->configEntities);
        QVERIFY(!metadata->field(QStringLiteral("base_url"))); // not HTTP
        QCOMPARE(
            metadata->forConfig(config()).entityNames(),
            (QStringList{QStringLiteral("events"), QStringLiteral("orders"), QStringLiteral("people_list")}));

        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("local"), QStringLiteral("files"),
                                config({{QStringLiteral("key_column"), QString()}}));
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(summary.processed.value(QStringLiteral("orders")), 5);
        QCOMPARE(summary.processed.value(QStringLiteral("events")), 45);
        QCOMPARE(summary.processed.value(QStringLiteral("people_list")), 2);

        // CSV rows become objects keyed by the header, in column order, with RFC 4180 quoting undone.
        QHash<QString, QJsonObject> orders;
        for (const QJsonObject &row : records(connection.id, QStringLiteral("orders")))
            orders.insert(row.value(QStringLiteral("id")).toString(), row);
        QCOMPARE(orders.size(), 5);
        QCOMPARE(orders.value(QStringLiteral("2")).value(QStringLiteral("customer")).toString(),
                 QStringLiteral("Lovelace, Ada"));
        QCOMPARE(orders.value(QStringLiteral("2")).value(QStringLiteral("note")).toString(),
                 QStringLiteral("said \"hi\""));
        QCOMPARE(orders.value(QStringLiteral("3")).value(QStringLiteral("note")).toString(),
                 QStringLiteral("two\r\nlines"));
        QCOMPARE(orders.value(QStringLiteral("4")).value(QStringLiteral("customer")).toString(),
                 QString::fromUtf8("Zo\xC3\xAB"));
        QVERIFY(orders.value(QStringLiteral("5")).value(QStringLiteral("note")).isNull()); // a short row
        QSqlQuery q(m_fx->catalog->database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT data FROM records WHERE entity = 'orders' AND json_extract(data, '$.id') = '1'")));
        QVERIFY(q.next());
        QCOMPARE(
            q.value(0).toString(),
            QStringLiteral("{\"id\":\"1\",\"customer\":\"Ada\",\"amount\":\"10.50\",\"note\":\"plain\"}"));
        // No key column: a 40-hex row hash keys each row.
        for (const QString &key : m_fx->keys(connection.id, QStringLiteral("orders")))
            QVERIFY2(key.size() == 40, qPrintable(key));
        // JSON Lines are stored as written; TSV by its tab delimiter.
        QVERIFY(q.exec(QStringLiteral(
            "SELECT data FROM records WHERE entity = 'events' AND json_extract(data, '$.n') = 7")));
        QVERIFY(q.next());
        QCOMPARE(
            q.value(0).toString().toUtf8(),
            QByteArray("{\"event_id\": \"ev7\", \"type\":\"click\", \"n\":7, \"props\": {\"x\": [1, 2]}}"));
        const QList<QJsonObject> people = records(connection.id, QStringLiteral("people_list"));
        QCOMPARE(people.size(), 2);
        QVERIFY(people.first().contains(QStringLiteral("age")));
    }

    void keyColumnOrRowHash_data()
    {
        QTest::addColumn<QJsonObject>("extra");
        QTest::addColumn<QStringList>("keys");
        QTest::newRow("key column") << QJsonObject{{QStringLiteral("key_column"), QStringLiteral("id")}}
                                    << QStringList{QStringLiteral("1"), QStringLiteral("2"),
                                                   QStringLiteral("3"), QStringLiteral("4"),
                                                   QStringLiteral("5"), QStringLiteral("6")};
        QTest::newRow("row hash") << QJsonObject() << QStringList();
    }

    void keyColumnOrRowHash()
    {
        QFETCH(QJsonObject, extra);
        QFETCH(QStringList, keys);
        // Two identical rows: the same key either way (one record).
        QVERIFY(
            writeFile(path(QStringLiteral("dups/items.csv")), "id,v\n1,a\n2,b\n3,c\n3,c\n4,d\n5,e\n6,f\n"));
        extra.insert(QStringLiteral("entities"), QJsonArray{QStringLiteral("items=dups/*.csv")});
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("keys"), QStringLiteral("files"), config(extra));
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(summary.processed.value(QStringLiteral("items")), 7);
        const QStringList stored = m_fx->keys(connection.id, QStringLiteral("items"));
        QCOMPARE(stored.size(), 6);
        if (!keys.isEmpty())
            QCOMPARE(stored, keys);
        // Stable: a second sync gives the same keys.
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")), stored);
    }

    void globEntitySpansFiles()
    {
        for (int part = 1; part <= 3; ++part)
            QVERIFY(writeFile(path(QStringLiteral("exports/events-%1.jsonl").arg(part)),
                              eventsJsonl(part * 100, part * 100 + 24)));
        const QJsonObject cfg = config(
            {{QStringLiteral("entities"),
              QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("all_events")},
                                     {QStringLiteral("glob"), QStringLiteral("exports/events-*.jsonl")},
                                     {QStringLiteral("key"), QStringLiteral("event_id")}},
                         QStringLiteral("orders=orders.csv")}},
             {QStringLiteral("key_column"), QStringLiteral("id")},
             {QStringLiteral("batch_size"), 7}});
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("glob"), QStringLiteral("files"), cfg);
        QSignalSpy tested(m_fx->engine->startTest(QStringLiteral("files"), cfg), &TestJob::finished);
        QVERIFY(tested.wait(10000));
        const TestResult result = tested.first().first().value<TestResult>();
        QVERIFY2(result.success, qPrintable(result.message));
        QVERIFY2(result.message.contains(QLatin1String("all_events (3 files)")), qPrintable(result.message));
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QStringList expected;
        for (int part = 1; part <= 3; ++part)
            for (int n = part * 100; n <= part * 100 + 24; ++n)
                expected.append(QStringLiteral("ev%1").arg(n));
        expected.sort();
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("all_events")), expected);
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("orders")).size(), 5);
    }

    void resumeByByteOffset_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("key");
        QTest::newRow("csv") << QStringLiteral("stock.csv") << QStringLiteral("sku");
        QTest::newRow("jsonl") << QStringLiteral("stock.jsonl") << QStringLiteral("event_id");
    }

    void resumeByByteOffset()
    {
        QFETCH(QString, file);
        QFETCH(QString, key);
        QTemporaryDir dir;
        const bool csv = file.endsWith(QLatin1String(".csv"));
        QVERIFY(writeFile(dir.filePath(file), csv ? bigCsv(1000) : eventsJsonl(1, 1000)));
        const QJsonObject cfg{{QStringLiteral("path"), dir.filePath(file)},
                              {QStringLiteral("key_column"), key}};
        const ConnectorMetadata metadata =
            ConnectorRegistry::instance().metadata(QStringLiteral("files"))->forConfig(cfg);
        QCOMPARE(metadata.entityNames(), QStringList{QStringLiteral("stock")});
        QStringList keys;
        FetchState state;
        int chunks = 0;
        bool sawMidFile = false;
        while (state.hasMore && chunks < 1000) {
            // A fresh connector each chunk; the state survives only as JSON, like across a restart.
            std::unique_ptr<BaseConnector> connector =
                ConnectorRegistry::instance().create(QStringLiteral("files"));
            connector->setup(metadata, cfg, CancelToken());
            ResumableFetchOptions o;
            o.entity = QStringLiteral("stock");
            o.batchSize = 64;
            o.maxIterations = 2;
            o.state = FetchState::fromJson(
                QJsonDocument::fromJson(QJsonDocument(state.toJson()).toJson()).object());
            o.state.iterationsInChunk = 0; // as the engine does before each chunk
            o.onBatch = [&keys](RecordBatch &&batch) {
                for (const Record &record : batch)
                    keys.append(QString::fromUtf8(record.key));
            };
            state = connector->fetchEntityChunk(o);
            sawMidFile = sawMidFile || state.offset > 0;
            ++chunks;
        }
        QVERIFY(sawMidFile);
        QCOMPARE(chunks, 8); // 16 batches of 64 rows (the last short), two per chunk
        QCOMPARE(keys.size(), 1000);
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), 1000);
        QCOMPARE(keys.first(), csv ? QStringLiteral("SKU1") : QStringLiteral("ev1"));
        QCOMPARE(keys.last(), csv ? QStringLiteral("SKU1000") : QStringLiteral("ev1000"));
        QVERIFY(state.highWater.isDouble());
    }

    // A file's row count is not known before its end, its size is: the bar and ETA go by an estimate from
    // the rows per byte read so far, marked "≈", and the count is exact at the end.
    void fileSizeGivesAnEstimatedTotal()
    {
        QVERIFY(writeFile(path(QStringLiteral("sized.csv")), bigCsv(3000)));
        const QJsonObject cfg = config({{QStringLiteral("entities"), QStringLiteral("sized=sized.csv")},
                                        {QStringLiteral("key_column"), QStringLiteral("sku")}});
        const ConnectorMetadata metadata =
            ConnectorRegistry::instance().metadata(QStringLiteral("files"))->forConfig(cfg);
        std::unique_ptr<BaseConnector> connector =
            ConnectorRegistry::instance().create(QStringLiteral("files"));
        connector->setup(metadata, cfg, CancelToken());
        ResumableFetchOptions o;
        o.entity = QStringLiteral("sized");
        o.batchSize = 100;
        o.maxIterations = 1;
        int pages = 0;
        qint64 lastEstimate = -1;
        while (o.state.hasMore && pages < 100) {
            o.state.iterationsInChunk = 0;
            o.state = connector->fetchEntityChunk(o);
            ++pages;
            if (!o.state.hasMore)
                break;
            QVERIFY(o.state.totalEstimated);
            // Early rows are shorter ("SKU1"): the first estimates run a little high, then close in.
            QVERIFY2(o.state.total >= 2400 && o.state.total <= 3600,
                     qPrintable(QString::number(o.state.total)));
            lastEstimate = o.state.total;
            // Kept in the saved state, so a resumed run shows it from its first line.
            QVERIFY(FetchState::fromJson(o.state.toJson()).totalEstimated);
        }
        QCOMPARE(pages, 30);
        QVERIFY2(lastEstimate >= 2940 && lastEstimate <= 3060, qPrintable(QString::number(lastEstimate)));
        QCOMPARE(o.state.total, 3000);
        QVERIFY(!o.state.totalEstimated);

        // Through the engine: the last progress is the exact count.
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("sized"), QStringLiteral("files"), cfg);
        QList<EntityProgress> progress;
        QCOMPARE(m_fx->sync(connection, options({QStringLiteral("sized")}), &progress).status,
                 QStringLiteral("done"));
        QCOMPARE(progress.last().total, 3000);
        QVERIFY(!progress.last().totalEstimated);
    }

    void failedSyncResumesAtByteOffset()
    {
        // Row 2001 is broken: the sync fails there with the rows before it committed, chunk by chunk.
        QByteArray content = bigCsv(3000);
        const QByteArray good = "SKU2001,\"Item 2001, large\",3\n";
        const QByteArray bad = "SKU2001,\"Item 2001, large\",3,9\n";
        QVERIFY(content.contains(good));
        QVERIFY(writeFile(path(QStringLiteral("big.csv")), QByteArray(content).replace(good, bad)));
        const QDateTime when(QDate(2021, 3, 1), QTime(8, 0), QTimeZone::utc());
        QVERIFY(setModified(path(QStringLiteral("big.csv")), when));
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("big"), QStringLiteral("files"),
                                config({{QStringLiteral("key_column"), QStringLiteral("sku")},
                                        {QStringLiteral("batch_size"), 64}}));
        SyncOptions o = options({QStringLiteral("big")});
        const RunSummary failed = m_fx->sync(connection, o);
        QCOMPARE(failed.status, QStringLiteral("failed"));
        QVERIFY2(failed.error.contains(QLatin1String("big.csv, line 2002: 4 fields, but the header has 3")),
                 qPrintable(failed.error));
        const qint64 kept = m_fx->catalog->recordCount(connection.id, QStringLiteral("big"));
        QCOMPARE(kept, 31 * 64); // the full batches before the broken row
        const auto state = m_fx->catalog->entityState(connection.id, QStringLiteral("big"));
        QCOMPARE(state->state.totalProcessed, kept); // state never ahead of data (I1)
        QVERIFY(state->state.offset > 0);

        // Fixed in place (same bytes before the row, same modification time): the rerun continues at the
        // saved byte offset instead of starting over.
        QVERIFY(writeFile(path(QStringLiteral("big.csv")), content));
        QVERIFY(setModified(path(QStringLiteral("big.csv")), when));
        QList<EntityProgress> progress;
        const RunSummary resumed = m_fx->sync(connection, options({QStringLiteral("big")}), &progress);
        QCOMPARE(resumed.status, QStringLiteral("done"));
        QVERIFY(progress.first().resumed);
        QCOMPARE(resumed.processed.value(QStringLiteral("big")), 3000 - kept);
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("big")), 3000);
    }

    void incrementalByModificationTime()
    {
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("inc"), QStringLiteral("files"),
                                config({{QStringLiteral("entities"), QStringLiteral("events=*.jsonl")},
                                        {QStringLiteral("key_column"), QStringLiteral("event_id")}}));
        QVERIFY(writeFile(path(QStringLiteral("more.jsonl")), eventsJsonl(500, 509)));
        const QDateTime old(QDate(2020, 1, 11), QTime(12, 0), QTimeZone::utc()); // events.jsonl is older
        QVERIFY(setModified(path(QStringLiteral("more.jsonl")), old));
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("events")), 55);
        const auto state = m_fx->catalog->entityState(connection.id, QStringLiteral("events"));
        QCOMPARE(state->nextSince.toInteger(), old.toMSecsSinceEpoch()); // the newest file read

        // Only the file modified since then is read again.
        QVERIFY(writeFile(path(QStringLiteral("more.jsonl")), eventsJsonl(500, 512)));
        QVERIFY(setModified(path(QStringLiteral("more.jsonl")), old.addDays(30)));
        const RunSummary summary = m_fx->sync(connection, options({}, SyncMode::Incremental));
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(summary.processed.value(QStringLiteral("events")), 13);
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("events")), 58);
        QCOMPARE(m_fx->catalog->entityState(connection.id, QStringLiteral("events"))->nextSince.toInteger(),
                 old.addDays(30).toMSecsSinceEpoch());
    }

    void malformedRowNamesFileAndLine_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("problem");
        QTest::newRow("csv too many fields")
            << QStringLiteral("bad.csv") << QByteArray("a,b\n1,2\n3,4,5\n")
            << QStringLiteral("bad.csv, line 3: 3 fields, but the header has 2");
        QTest::newRow("csv open quote")
            << QStringLiteral("bad.csv") << QByteArray("a,b\n1,2\n3,\"oops\n4,5\n")
            << QStringLiteral("bad.csv, line 3: a quoted field opened on line 3 never closes");
        QTest::newRow("jsonl not an object")
            << QStringLiteral("bad.jsonl") << QByteArray("{\"a\":1}\n{\"a\":2}\n{\"a\":\n")
            << QStringLiteral("bad.jsonl, line 3: not a JSON object");
        QTest::newRow("empty key") << QStringLiteral("bad.csv") << QByteArray("id,b\n1,2\n,4\n")
                                   << QStringLiteral("bad.csv, line 3: the key column \"id\" is empty");
    }

    void malformedRowNamesFileAndLine()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(file), content));
        const QJsonObject cfg{{QStringLiteral("path"), dir.path()},
                              {QStringLiteral("key_column"),
                               file.endsWith(QLatin1String(".csv")) ? QStringLiteral("id") : QString()}};
        QJsonObject fixed = cfg;
        if (!content.startsWith("id"))
            fixed.insert(QStringLiteral("key_column"), QString());
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("bad"), QStringLiteral("files"), fixed);
        const RunSummary summary = m_fx->sync(connection, options());
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(problem), qPrintable(summary.error));
        QVERIFY2(summary.error.contains(dir.path()), qPrintable(summary.error));
    }

    void missingKeyColumnIsAConfigError()
    {
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("nokey"), QStringLiteral("files"),
                                config({{QStringLiteral("key_column"), QStringLiteral("order_id")},
                                        {QStringLiteral("entities"), QStringLiteral("orders.csv")}}));
        const RunSummary summary = m_fx->sync(connection, options());
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("The key column \"order_id\" is not in the header")),
                 qPrintable(summary.error));
        QVERIFY2(summary.error.contains(QLatin1String("id, customer, amount, note")),
                 qPrintable(summary.error));
    }

    void testConnectionSaysWhatItFound_data()
    {
        QTest::addColumn<QJsonObject>("extra");
        QTest::addColumn<bool>("success");
        QTest::addColumn<QString>("message");
        QTest::newRow("folder") << QJsonObject() << true
                                << QStringLiteral("Found 3 entities in 3 files: events, orders, people_list");
        QTest::newRow("missing path")
            << QJsonObject{{QStringLiteral("path"), QStringLiteral("/nonexistent/mako")}} << false
            << QStringLiteral("path: /nonexistent/mako does not exist");
        QTest::newRow("glob matches nothing")
            << QJsonObject{{QStringLiteral("entities"), QStringLiteral("x=nothing-*.csv")}} << false
            << QStringLiteral("x: no file matches \"nothing-*.csv\"");
        QJsonArray split; // a one-line JSON list as a form that splits list fields on commas hands it over
        for (const QString &part : QStringLiteral("[{\"name\": \"orders\", \"glob\": \"orders.csv\"}, "
                                                  "{\"name\": \"events\", \"glob\": \"events.jsonl\"}]")
                                       .split(QLatin1Char(',')))
            split.append(part.trimmed());
        QTest::newRow("JSON list from a form")
            << QJsonObject{{QStringLiteral("entities"), split}} << true
            << QStringLiteral("Found 2 entities in 2 files: orders, events");
        QTest::newRow("bad entity name")
            << QJsonObject{{QStringLiteral("entities"), QStringLiteral("Bad Name=orders.csv")}} << false
            << QStringLiteral("the name \"Bad Name\" must start with a letter");
    }

    void testConnectionSaysWhatItFound()
    {
        QFETCH(QJsonObject, extra);
        QFETCH(bool, success);
        QFETCH(QString, message);
        QSignalSpy spy(m_fx->engine->startTest(QStringLiteral("files"), config(extra)), &TestJob::finished);
        QVERIFY(spy.wait(10000));
        const TestResult result = spy.first().first().value<TestResult>();
        QCOMPARE(result.success, success);
        QVERIFY2(result.message.contains(message), qPrintable(result.message));
    }

    void cliSyncsAndListsRecords()
    {
        QTemporaryDir catalogDir;
        const QString catalog = catalogDir.filePath(QStringLiteral("catalog.sqlite"));
        auto run = [&](const QStringList &args, QByteArray *out) {
            QProcess process;
            process.start(QStringLiteral(MC_CLI_PATH),
                          QStringList{QStringLiteral("--catalog"), catalog} + args);
            process.waitForFinished(60000);
            *out = process.readAllStandardOutput() + process.readAllStandardError();
            return process.exitCode();
        };
        QByteArray out;
        const QString cfg = QString::fromUtf8(
            QJsonDocument(config({{QStringLiteral("key_column"), QStringLiteral("id")},
                                  {QStringLiteral("entities"), QStringLiteral("orders=orders.csv")}}))
                .toJson(QJsonDocument::Compact));
        QCOMPARE(run({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                      QStringLiteral("files"), QStringLiteral("--name"), QStringLiteral("local"),
                      QStringLiteral("--config"), cfg},
                     &out),
                 0);
        QVERIFY2(run({QStringLiteral("test"), QStringLiteral("local")}, &out) == 0, out.constData());
        QVERIFY2(run({QStringLiteral("sync"), QStringLiteral("local"), QStringLiteral("--progress"),
                      QStringLiteral("none")},
                     &out) == 0,
                 out.constData());
        QCOMPARE(run({QStringLiteral("records"), QStringLiteral("local"), QStringLiteral("orders")}, &out),
                 0);
        QCOMPARE(out.trimmed().split('\n').size(), 5);
        QVERIFY(out.startsWith("{\"id\":\"1\",\"customer\":\"Ada\""));
    }
};

QTEST_GUILESS_MAIN(TestFilesConnector)
#include "tst_filesconnector.moc"
