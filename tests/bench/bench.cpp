// mako-connect-bench: measures what issue "Sync throughput near SQLite's limit" asks for, against the fake
// Stripe server running as a separate process (so CPU time and peak RSS are the engine's own).
//
//   mako-connect-bench                      the standard suite, a table (add --json for one JSON object)
//   mako-connect-bench --scenario sync --records N [--entities E] [--latency-ms L]
//   mako-connect-bench --scenario resume --records N
//   mako-connect-bench --scenario gui --records N     the records browser over N synced records, offscreen
//
// Every scenario runs in a child process of its own so that peak RSS belongs to that scenario alone.
#include "catalog.h"
#include "connectorregistry.h"
#include "guibench.h"
#include "httpclient.h"
#include "secretstore.h"
#include "syncengine.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <sqlite3.h>
#include <sys/resource.h>

namespace {

const QStringList kEntityNames{QStringLiteral("customers"), QStringLiteral("charges"),
                               QStringLiteral("invoices"),  QStringLiteral("subscriptions"),
                               QStringLiteral("products"),  QStringLiteral("prices")};

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
           usage.ru_stime.tv_usec / 1e6;
}

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;
}

// The fake Stripe as a child process; its port once it listens.
struct FakeServer
{
    QProcess process;
    quint16 port = 0;

    bool start(const QStringList &entities, int records, int latencyMs)
    {
        QStringList seed;
        for (const QString &entity : entities)
            seed.append(QStringLiteral("%1=%2").arg(entity).arg(records));
        process.setProcessChannelMode(QProcess::SeparateChannels);
        process.start(QStringLiteral(MC_FAKE_STRIPE_PATH),
                      {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--quiet"),
                       QStringLiteral("--seed"), seed.join(QLatin1Char(',')), QStringLiteral("--latency-ms"),
                       QString::number(latencyMs)});
        if (!process.waitForStarted())
            return false;
        QByteArray line;
        while (!line.contains('\n')) {
            if (!process.waitForReadyRead(300000))
                return false;
            line += process.readAllStandardOutput();
        }
        port = quint16(line.trimmed().split(' ').last().toUInt());
        return port != 0;
    }

    ~FakeServer()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(5000))
                process.kill();
            process.waitForFinished();
        }
    }
};

// --catalog: where the sync scenarios write (default: a fresh SQLite file); a PostgreSQL URL names an empty
// database for one scenario.
QString s_catalog;

struct Bench
{
    QTemporaryDir dir;
    QString catalogPath;
    std::unique_ptr<FileSecretStore> secrets;
    std::unique_ptr<SyncEngine> engine;
    ConnectionInfo connection;

    bool open(quint16 port)
    {
        catalogPath = s_catalog.isEmpty() ? dir.filePath(QStringLiteral("bench.sqlite")) : s_catalog;
        secrets = std::make_unique<FileSecretStore>(FileSecretStore::defaultPathFor(catalogPath));
        engine = std::make_unique<SyncEngine>(catalogPath, secrets.get());
        QString error;
        if (!engine->open(&error)) {
            std::fprintf(stderr, "bench: %s\n", qPrintable(error));
            return false;
        }
        const QJsonObject config{
            {QStringLiteral("api_key"), QStringLiteral("sk_test_mako")},
            {QStringLiteral("base_url"), QStringLiteral("http://127.0.0.1:%1").arg(port)}};
        const qint64 id = engine->saveConnection(connection.id, QStringLiteral("bench"),
                                                 QStringLiteral("stripe"), config, &error);
        if (id == 0) {
            std::fprintf(stderr, "bench: %s\n", qPrintable(error));
            return false;
        }
        Catalog catalog(catalogPath);
        connection = *catalog.connectionById(id);
        return true;
    }

    RunSummary sync(const QStringList &entities)
    {
        SyncOptions options;
        options.entities = entities;
        options.maxParallelEntities = int(entities.size());
        QString error;
        SyncJob *job = engine->startSync(connection, options, &error);
        RunSummary summary;
        if (!job) {
            summary.status = QStringLiteral("failed");
            summary.error = error;
            return summary;
        }
        QEventLoop loop;
        QObject::connect(job, &SyncJob::finished, &loop, [&](const RunSummary &s) {
            summary = s;
            loop.quit();
        });
        loop.exec();
        return summary;
    }
};

// Opening an entity's records and reading the first 200 rows, as the records browser does.
double firstRowsMs(const QString &catalogPath, qint64 connectionId, const QString &entity)
{
    QElapsedTimer clock;
    clock.start();
    Catalog catalog(catalogPath);
    QSqlQuery q(catalog.database());
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral("SELECT record_key, data FROM records WHERE connection_id = ? AND entity = ? ORDER BY "
                       "record_key LIMIT 200"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    q.exec();
    int rows = 0;
    while (q.next())
        rows += q.value(1).toString().isEmpty() ? 0 : 1;
    return rows == 200 || rows > 0 ? clock.nsecsElapsed() / 1e6 : -1;
}

// The ceiling: a bare prepared SQLite upsert of the identical records, pre-split, in transactions of 1,000,
// into a fresh file with the catalog's table, index and pragmas.
double ceilingRecordsPerSecond(const QString &catalogPath, const QString &dirPath)
{
    std::vector<std::pair<QByteArray, QByteArray>> records;
    {
        Catalog catalog(catalogPath);
        QSqlQuery q(catalog.database());
        q.setForwardOnly(true);
        q.exec(QStringLiteral("SELECT entity, record_key, data FROM records"));
        while (q.next())
            records.emplace_back(q.value(1).toString().toUtf8(), q.value(2).toString().toUtf8());
    }
    if (records.empty())
        return 0;
    sqlite3 *db = nullptr;
    const QByteArray path = (dirPath + QStringLiteral("/ceiling.sqlite")).toUtf8();
    sqlite3_open(path.constData(), &db);
    sqlite3_exec(
        db,
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE records (connection_id INTEGER NOT NULL, entity TEXT NOT NULL, record_key TEXT NOT "
        "NULL, data TEXT NOT NULL, synced_at INTEGER NOT NULL, generation INTEGER NOT NULL DEFAULT 0);"
        "CREATE UNIQUE INDEX records_by_key ON records (connection_id, entity, record_key);",
        nullptr, nullptr, nullptr);
    sqlite3_stmt *stmt = nullptr;
    sqlite3_prepare_v2(
        db,
        "INSERT INTO records (connection_id, entity, record_key, data, synced_at, generation) VALUES "
        "(1, 'customers', ?1, ?2, 0, 1) ON CONFLICT (connection_id, entity, record_key) DO UPDATE SET "
        "data = excluded.data, synced_at = excluded.synced_at, generation = excluded.generation",
        -1, &stmt, nullptr);
    QElapsedTimer clock;
    clock.start();
    for (size_t i = 0; i < records.size(); ++i) {
        if (i % 1000 == 0)
            sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        sqlite3_bind_text(stmt, 1, records[i].first.constData(), int(records[i].first.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, records[i].second.constData(), int(records[i].second.size()),
                          SQLITE_STATIC);
        sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if (i % 1000 == 999 || i + 1 == records.size())
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    const double seconds = clock.nsecsElapsed() / 1e9;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return records.size() / seconds;
}

QJsonObject scenarioSync(int records, int entityCount, int latencyMs, bool ceiling)
{
    const QStringList entities = kEntityNames.mid(0, entityCount);
    FakeServer server;
    if (!server.start(entities, records, latencyMs))
        return {{QStringLiteral("error"), QStringLiteral("fake server did not start")}};
    Bench bench;
    if (!bench.open(server.port))
        return {{QStringLiteral("error"), QStringLiteral("catalog did not open")}};

    const qint64 requestsBefore = HttpClient::totalRequestCount();
    const double cpuBefore = cpuSeconds();
    QElapsedTimer clock;
    clock.start();
    const RunSummary summary = bench.sync(entities);
    const double wall = clock.nsecsElapsed() / 1e9;
    const double cpu = cpuSeconds() - cpuBefore;
    const double rss = peakRssMb();
    const qint64 requests = HttpClient::totalRequestCount() - requestsBefore;
    qint64 total = 0;
    for (qint64 n : summary.processed)
        total += n;
    const int pagesPerEntity = (records + 99) / 100;
    QJsonObject result{{QStringLiteral("scenario"), QStringLiteral("sync")},
                       {QStringLiteral("status"), summary.status},
                       {QStringLiteral("recordsPerEntity"), records},
                       {QStringLiteral("entities"), entityCount},
                       {QStringLiteral("latencyMs"), latencyMs},
                       {QStringLiteral("records"), total},
                       {QStringLiteral("wallS"), wall},
                       {QStringLiteral("cpuS"), cpu},
                       {QStringLiteral("recordsPerS"), total / wall},
                       {QStringLiteral("peakRssMB"), rss},
                       {QStringLiteral("requests"), requests},
                       {QStringLiteral("idealWallS"), pagesPerEntity * latencyMs / 1000.0}};
    if (!summary.error.isEmpty())
        result.insert(QStringLiteral("error"), summary.error);
    result.insert(QStringLiteral("firstRowsMs"),
                  firstRowsMs(bench.catalogPath, bench.connection.id, entities.first()));
    bench.engine.reset();
    if (ceiling) {
        const double ceilingRate = ceilingRecordsPerSecond(bench.catalogPath, bench.dir.path());
        result.insert(QStringLiteral("ceilingRecordsPerS"), ceilingRate);
        result.insert(QStringLiteral("ratio"), ceilingRate > 0 ? (total / wall) / ceilingRate : 0);
    }
    return result;
}

QJsonObject scenarioResume(int records)
{
    FakeServer server;
    if (!server.start({QStringLiteral("customers")}, records, 0))
        return {{QStringLiteral("error"), QStringLiteral("fake server did not start")}};
    Bench bench;
    if (!bench.open(server.port))
        return {{QStringLiteral("error"), QStringLiteral("catalog did not open")}};
    bench.engine.reset();

    // Phase 1: the CLI syncs and is killed with SIGKILL halfway.
    QProcess cli;
    cli.start(QStringLiteral(MC_CLI_PATH),
              {QStringLiteral("--catalog"), bench.catalogPath, QStringLiteral("sync"),
               QStringLiteral("bench"), QStringLiteral("--entity"), QStringLiteral("customers"),
               QStringLiteral("--progress"), QStringLiteral("json")});
    cli.waitForStarted();
    QByteArray buffer;
    while (cli.state() == QProcess::Running) {
        cli.waitForReadyRead(100);
        buffer += cli.readAllStandardOutput();
        const qsizetype end = buffer.lastIndexOf('\n');
        if (end < 0)
            continue;
        const qsizetype start = buffer.lastIndexOf('\n', end - 1) + 1;
        const QJsonObject line = QJsonDocument::fromJson(buffer.mid(start, end - start)).object();
        if (line.value(QStringLiteral("processed")).toInteger() >= records / 2) {
            ::kill(pid_t(cli.processId()), SIGKILL);
            break;
        }
    }
    cli.waitForFinished();
    qint64 committed = 0;
    {
        Catalog catalog(bench.catalogPath);
        committed = catalog.recordCount(bench.connection.id, QStringLiteral("customers"));
    }

    // Phase 2: resume in this process and count the requests.
    bench.engine = std::make_unique<SyncEngine>(bench.catalogPath, bench.secrets.get());
    QString error;
    bench.engine->open(&error);
    const qint64 requestsBefore = HttpClient::totalRequestCount();
    QElapsedTimer clock;
    clock.start();
    const RunSummary summary = bench.sync({QStringLiteral("customers")});
    const double wall = clock.nsecsElapsed() / 1e9;
    const qint64 requests = HttpClient::totalRequestCount() - requestsBefore;
    qint64 finalCount = 0;
    {
        Catalog catalog(bench.catalogPath);
        finalCount = catalog.recordCount(bench.connection.id, QStringLiteral("customers"));
    }
    const qint64 neededPages = (records - committed + 99) / 100;
    return {{QStringLiteral("scenario"), QStringLiteral("resume")},
            {QStringLiteral("status"), summary.status},
            {QStringLiteral("recordsPerEntity"), records},
            {QStringLiteral("committedAtKill"), committed},
            {QStringLiteral("resumeRequests"), requests},
            {QStringLiteral("neededPages"), neededPages},
            {QStringLiteral("refetchedPages"), requests - neededPages},
            {QStringLiteral("resumeWallS"), wall},
            {QStringLiteral("finalRecords"), finalCount}};
}

// N customers synced from the fake server, then the records browser over them. With --catalog naming a
// SQLite file that already holds a connection's customers (an earlier `--scenario sync --catalog`), those.
QJsonObject scenarioGui(int records)
{
    if (!s_catalog.isEmpty() && QFileInfo::exists(s_catalog)) {
        Catalog catalog(s_catalog);
        for (const ConnectionInfo &connection : catalog.connections())
            if (catalog.recordCount(connection.id, QStringLiteral("customers")) > 0)
                return runGuiScenario(s_catalog, connection, QStringLiteral("customers"));
    }
    FakeServer server;
    if (!server.start({QStringLiteral("customers")}, records, 0))
        return {{QStringLiteral("error"), QStringLiteral("fake server did not start")}};
    Bench bench;
    if (!bench.open(server.port))
        return {{QStringLiteral("error"), QStringLiteral("catalog did not open")}};
    const RunSummary summary = bench.sync({QStringLiteral("customers")});
    if (summary.status != QLatin1String("done"))
        return {{QStringLiteral("error"), QStringLiteral("sync ended %1").arg(summary.status)}};
    return runGuiScenario(bench.catalogPath, bench.connection, QStringLiteral("customers"));
}

QString fixed(double value, int decimals = 1)
{
    return QString::number(value, 'f', decimals);
}

QString guiLine(const QJsonObject &result)
{
    if (result.contains(QStringLiteral("error")))
        return result.value(QStringLiteral("error")).toString();
    const auto ms = [&result](const char *name) {
        return fixed(result.value(QLatin1String(name)).toDouble(), 0);
    };
    QStringList stalls;
    const QJsonObject byStep = result.value(QStringLiteral("stall_ms_by_step")).toObject();
    for (auto it = byStep.constBegin(); it != byStep.constEnd(); ++it)
        stalls << QStringLiteral("%1 %2").arg(it.key(), fixed(it.value().toDouble(), 1));
    return QStringLiteral(
               "%1 records: longest stall %2 ms (%3); open %4 ms, to the end %5 ms, "
               "sort %6 ms (the other way %11 ms), filter %7 ms (%8 matches), profile %9 ms, export %10 ms")
        .arg(result.value(QStringLiteral("records")).toInteger())
        .arg(fixed(result.value(QStringLiteral("longest_stall_ms")).toDouble(), 1))
        .arg(stalls.join(QStringLiteral(", ")))
        .arg(ms("open_ms"), ms("scroll_end_ms"), ms("sort_ms"), ms("filter_ms"))
        .arg(result.value(QStringLiteral("filter_matches")).toInteger())
        .arg(ms("profile_ms"), ms("export_ms"), ms("sort_reversed_ms"));
}

bool isGuiScenario(int argc, char *argv[])
{
    for (int i = 1; i + 1 < argc; ++i)
        if (qstrcmp(argv[i], "--scenario") == 0 && qstrcmp(argv[i + 1], "gui") == 0)
            return true;
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    // The GUI scenario needs widgets, drawn offscreen unless a platform is named.
    const bool gui = isGuiScenario(argc, argv);
    if (gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (gui) // the offscreen platform's note on window hints, once per window, is no figure
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &message) {
            if (!message.contains(QLatin1String("propagateSizeHints")))
                std::fprintf(stderr, "%s\n", qPrintable(message));
        });
    std::unique_ptr<QCoreApplication> application =
        gui ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication &app = *application;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Mako Connect sync benchmark"));
    parser.addHelpOption();
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"),
                                            QStringLiteral("sync, resume or gui (default: suite)"),
                                            QStringLiteral("name"));
    const QCommandLineOption recordsOption(QStringLiteral("records"), QStringLiteral("Records per entity."),
                                           QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption entitiesOption(QStringLiteral("entities"),
                                            QStringLiteral("Entities synced at once."), QStringLiteral("E"),
                                            QStringLiteral("1"));
    const QCommandLineOption latencyOption(QStringLiteral("latency-ms"),
                                           QStringLiteral("Per-request latency."), QStringLiteral("L"),
                                           QStringLiteral("0"));
    const QCommandLineOption largeOption(QStringLiteral("large"),
                                         QStringLiteral("Suite size for 'large' (default 1000000)."),
                                         QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption noCeilingOption(QStringLiteral("no-ceiling"),
                                             QStringLiteral("Skip the bare SQLite ceiling."));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print one JSON object."));
    const QCommandLineOption catalogOption(
        QStringLiteral("catalog"),
        QStringLiteral("Sync into this catalog (an empty PostgreSQL database's URL) instead of a new SQLite "
                       "file; the ceiling stays bare SQLite's."),
        QStringLiteral("LOCATION"));
    parser.addOptions({scenarioOption, recordsOption, entitiesOption, latencyOption, largeOption,
                       noCeilingOption, jsonOption, catalogOption});
    parser.process(app);
    s_catalog = parser.value(catalogOption);
    registerBuiltinConnectors();

    const int records = parser.value(recordsOption).toInt();
    QTextStream out(stdout);
    const QString scenario = parser.value(scenarioOption);
    if (scenario == QLatin1String("sync")) {
        out << QJsonDocument(scenarioSync(records, parser.value(entitiesOption).toInt(),
                                          parser.value(latencyOption).toInt(),
                                          !parser.isSet(noCeilingOption)))
                   .toJson(QJsonDocument::Compact)
            << "\n";
        return 0;
    }
    if (scenario == QLatin1String("resume")) {
        out << QJsonDocument(scenarioResume(records)).toJson(QJsonDocument::Compact) << "\n";
        return 0;
    }
    if (gui) {
        const QJsonObject result = scenarioGui(records);
        if (parser.isSet(jsonOption))
            out << QJsonDocument(result).toJson(QJsonDocument::Compact) << "\n";
        else
            out << guiLine(result) << "\n";
        return 0;
    }

    // The suite: each scenario in a fresh child process.
    const int large = parser.value(largeOption).toInt();
    struct Run
    {
        QString label;
        QStringList args;
    };
    const QList<Run> runs{
        {QStringLiteral("100k, 0 ms"),
         {QStringLiteral("--scenario"), QStringLiteral("sync"), QStringLiteral("--records"),
          QStringLiteral("100000")}},
        {QStringLiteral("%1, 0 ms").arg(large),
         {QStringLiteral("--scenario"), QStringLiteral("sync"), QStringLiteral("--records"),
          QString::number(large)}},
        {QStringLiteral("3 x 10k, 0 ms"),
         {QStringLiteral("--scenario"), QStringLiteral("sync"), QStringLiteral("--records"),
          QStringLiteral("10000"), QStringLiteral("--entities"), QStringLiteral("3")}},
        {QStringLiteral("100k, 50 ms"),
         {QStringLiteral("--scenario"), QStringLiteral("sync"), QStringLiteral("--records"),
          QStringLiteral("100000"), QStringLiteral("--latency-ms"), QStringLiteral("50"),
          QStringLiteral("--no-ceiling")}},
        {QStringLiteral("3 x 10k, 50 ms"),
         {QStringLiteral("--scenario"), QStringLiteral("sync"), QStringLiteral("--records"),
          QStringLiteral("10000"), QStringLiteral("--entities"), QStringLiteral("3"),
          QStringLiteral("--latency-ms"), QStringLiteral("50"), QStringLiteral("--no-ceiling")}},
        {QStringLiteral("resume %1 at 50%").arg(large),
         {QStringLiteral("--scenario"), QStringLiteral("resume"), QStringLiteral("--records"),
          QString::number(large)}},
        {QStringLiteral("gui %1").arg(large),
         {QStringLiteral("--scenario"), QStringLiteral("gui"), QStringLiteral("--records"),
          QString::number(large), QStringLiteral("--json")}},
    };
    QJsonArray results;
    const bool json = parser.isSet(jsonOption);
    if (!json)
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                   .arg(QStringLiteral("scenario"), -22)
                   .arg(QStringLiteral("records/s"), 10)
                   .arg(QStringLiteral("ceiling/s"), 10)
                   .arg(QStringLiteral("ratio"), 6)
                   .arg(QStringLiteral("wall s"), 7)
                   .arg(QStringLiteral("ideal s"), 7)
                   .arg(QStringLiteral("cpu s"), 7)
                   .arg(QStringLiteral("RSS MB"), 7)
                   .arg(QStringLiteral("requests / first 200 rows / resume"), 0);
    out.flush();
    for (const Run &run : runs) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(), run.args);
        child.waitForFinished(-1);
        QJsonObject result = QJsonDocument::fromJson(child.readAllStandardOutput()).object();
        result.insert(QStringLiteral("label"), run.label);
        results.append(result);
        if (json)
            continue;
        if (result.value(QStringLiteral("scenario")) == QLatin1String("gui")) {
            out << QStringLiteral("%1 %2\n").arg(run.label, -22).arg(guiLine(result));
        } else if (result.value(QStringLiteral("scenario")) == QLatin1String("resume")) {
            out << QStringLiteral("%1 %2\n")
                       .arg(run.label, -22)
                       .arg(QStringLiteral(
                                "killed at %1 committed; resume made %2 requests for %3 needed pages "
                                "(%4 re-fetched); %5 records after resume")
                                .arg(result.value(QStringLiteral("committedAtKill")).toInteger())
                                .arg(result.value(QStringLiteral("resumeRequests")).toInteger())
                                .arg(result.value(QStringLiteral("neededPages")).toInteger())
                                .arg(result.value(QStringLiteral("refetchedPages")).toInteger())
                                .arg(result.value(QStringLiteral("finalRecords")).toInteger()));
        } else {
            const double ceiling = result.value(QStringLiteral("ceilingRecordsPerS")).toDouble();
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                       .arg(run.label, -22)
                       .arg(fixed(result.value(QStringLiteral("recordsPerS")).toDouble(), 0), 10)
                       .arg(ceiling > 0 ? fixed(ceiling, 0) : QStringLiteral("-"), 10)
                       .arg(ceiling > 0 ? fixed(result.value(QStringLiteral("ratio")).toDouble(), 2)
                                        : QStringLiteral("-"),
                            6)
                       .arg(fixed(result.value(QStringLiteral("wallS")).toDouble(), 2), 7)
                       .arg(fixed(result.value(QStringLiteral("idealWallS")).toDouble(), 2), 7)
                       .arg(fixed(result.value(QStringLiteral("cpuS")).toDouble(), 2), 7)
                       .arg(fixed(result.value(QStringLiteral("peakRssMB")).toDouble(), 0), 7)
                       .arg(QStringLiteral("%1 req / %2 ms%3")
                                .arg(result.value(QStringLiteral("requests")).toInteger())
                                .arg(fixed(result.value(QStringLiteral("firstRowsMs")).toDouble(), 1))
                                .arg(result.value(QStringLiteral("status")) == QLatin1String("done")
                                         ? QString()
                                         : QStringLiteral(" (") +
                                               result.value(QStringLiteral("status")).toString() +
                                               QStringLiteral(")")));
        }
        out.flush();
    }
    if (json)
        out << QJsonDocument(QJsonObject{{QStringLiteral("results"), results}}).toJson(QJsonDocument::Compact)
            << "\n";
    return 0;
}
