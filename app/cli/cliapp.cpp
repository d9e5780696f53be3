#include "cliapp.h"

#include "connectionfile.h"

#include "catalog.h"
#include "connectorregistry.h"
#include "jsonscan.h"
#include "readonlydb.h"
#include "recordsquery.h"
#include "schedule.h"
#include "secretstore.h"
#include "syncengine.h"
#include "syncscheduler.h"
#include "tableexport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSysInfo>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace {

const char kUsage[] = R"(Usage: mako-connect-cli [--catalog PATH] [--secrets keychain|file] COMMAND

Commands:
  connectors [--json]                       list registered connectors
  connections add --connector ID --name NAME --config JSON|@FILE
  connections list [--json]
  connections remove NAME
  connections set-secret NAME [--field F]   store a secret again, read from standard input
  connections export [NAME]... [--secret-refs env|keychain]
                                            connections as JSON for version control: each secret is
                                            a reference (env:STRIPE_PROD_API_KEY, or keychain)
  connections import FILE|-                 add or update them, secrets from the environment (or
                                            asked on a terminal); all or nothing
  test NAME                                 test a connection (exit 0 success, 1 failure)
  sync NAME [--entity E[=full|incremental]]... [--mode full|incremental] [--progress text|json|none]
       [--restart]
                                            an interrupted or failed run is continued: unfinished
                                            entities resume, finished ones are skipped; --restart
                                            starts every entity over
  sync --due [--mode full|incremental] [--progress text|json|none] [--now TIME]
                                            sync each connection whose schedule is due, once (for
                                            cron or a systemd timer); one syncing elsewhere is skipped
  schedule NAME [--every 6h | --cron "0 3 * * *" [--tz ZONE] | --off] [--now TIME]
                                            show or set when NAME syncs by itself: an interval from
                                            its last run, or cron times in ZONE (default: this
                                            machine's); --now TIME (ISO 8601) stands in for the clock
  worker [--concurrency N] [--poll SECONDS] [--mode full|incremental]
                                            stay up and sync whatever is due, up to N at once;
                                            SIGTERM stops it, running syncs keep what they saved
  runs NAME [--json]                        run history
  records NAME ENTITY [--format jsonl|csv|xlsx] [--output FILE] [--flatten] [--limit N]
          [--delimiter C] [--bom] [--raw-times] [--null-text]
                                            typed columns (ISO dates, empty cells for nulls);
                                            --flatten: nested objects as parent__child columns;
                                            CSV: --delimiter , ; | or tab, --bom for Excel,
                                            --raw-times as the API sent them, --null-text: null
  sql QUERY [--format csv|jsonl]            read-only SQL over the catalog
  secrets status                            where the catalog keeps its connections' secrets
  secrets migrate --to keychain|file        move them all; an interrupted move loses nothing and
                                            can be run again

The catalog defaults to $MAKO_CONNECT_CATALOG or the user's data folder. A new catalog keeps its
secrets in the system keychain where one answers, else in a file beside it readable only by you
(--secrets or $MAKO_CONNECT_SECRETS choose); the catalog remembers where they are.
)";

int s_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(s_signalPipe[1], &byte, 1);
}

// SIGINT and SIGTERM call `stop` on this thread, through a pipe (a signal handler may only write()).
std::unique_ptr<QSocketNotifier> onStopSignals(QObject *context, std::function<void()> stop)
{
    if (s_signalPipe[0] < 0 && ::pipe(s_signalPipe) != 0)
        return nullptr;
    ::fcntl(s_signalPipe[1], F_SETFL, O_NONBLOCK);
    auto notifier = std::make_unique<QSocketNotifier>(s_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(notifier.get(), &QSocketNotifier::activated, context, [stop = std::move(stop)] {
        char byte;
        [[maybe_unused]] const auto ignored = ::read(s_signalPipe[0], &byte, 1);
        stop();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    return notifier;
}

QString csvField(const QString &value)
{
    if (value.contains(QLatin1Char(',')) || value.contains(QLatin1Char('"')) ||
        value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r'))) {
        QString quoted = value;
        quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + quoted + QLatin1Char('"');
    }
    return value;
}

QString formatCount(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

} // namespace

CliApp::CliApp(QStringList arguments)
    : m_args(std::move(arguments))
    , m_out(stdout)
    , m_err(stderr)
{
}

CliApp::~CliApp()
{
    m_engine.reset();
    m_catalog.reset();
}

int CliApp::exec()
{
    const int code = run();
    m_out.flush();
    m_err.flush();
    return code;
}

int CliApp::usage(const QString &problem)
{
    if (!problem.isEmpty())
        m_err << "mako-connect-cli: " << problem << "\n";
    m_err << "Run `mako-connect-cli --help` for the commands.\n";
    return Usage;
}

int CliApp::fail(const QString &message, int code)
{
    m_err << "mako-connect-cli: " << message << "\n";
    return code;
}

bool CliApp::takeFlag(const QString &name)
{
    const int index = int(m_args.indexOf(name));
    if (index < 0)
        return false;
    m_args.removeAt(index);
    return true;
}

QString CliApp::takeOption(const QString &name, bool *present)
{
    if (present)
        *present = false;
    for (int i = 0; i < m_args.size(); ++i) {
        const QString &arg = m_args.at(i);
        if (arg == name && i + 1 < m_args.size()) {
            const QString value = m_args.at(i + 1);
            m_args.remove(i, 2);
            if (present)
                *present = true;
            return value;
        }
        if (arg == name) { // given without a value
            m_args.removeAt(i);
            if (present)
                *present = true;
            return QString();
        }
        if (arg.startsWith(name + QLatin1Char('='))) {
            m_args.removeAt(i);
            if (present)
                *present = true;
            return arg.mid(name.size() + 1);
        }
    }
    return QString();
}

QStringList CliApp::takeOptions(const QString &name)
{
    QStringList values;
    bool present = true;
    while (true) {
        const QString value = takeOption(name, &present);
        if (!present)
            break;
        values.append(value);
    }
    return values;
}

QString CliApp::takePositional()
{
    for (int i = 0; i < m_args.size(); ++i) {
        if (!m_args.at(i).startsWith(QLatin1String("--")))
            return m_args.takeAt(i);
    }
    return QString();
}

bool CliApp::expectNoMore()
{
    if (m_args.isEmpty())
        return true;
    usage(QStringLiteral("unexpected argument \"%1\"").arg(m_args.first()));
    return false;
}

bool CliApp::openCatalog()
{
    if (m_engine)
        return true;
    QString error;
    m_catalog = std::make_unique<Catalog>(m_catalogPath);
    if (!m_catalog->isOpen()) {
        fail(m_catalog->errorString());
        m_catalog.reset();
        return false;
    }
    OpenedSecretStore secrets = openSecretStore(*m_catalog, m_secretsBackend, FileFallback::Allowed);
    if (!secrets.store) {
        fail(secrets.error);
        m_catalog.reset();
        return false;
    }
    if (!secrets.notice.isEmpty())
        m_err << "mako-connect-cli: " << secrets.notice << "\n";
    m_secrets = std::move(secrets.store);
    m_engine = std::make_unique<SyncEngine>(m_catalogPath, m_secrets.get());
    if (!m_engine->open(&error)) {
        fail(error);
        m_engine.reset();
        m_catalog.reset();
        return false;
    }
    return true;
}

std::optional<ConnectionInfo> CliApp::findConnection(const QString &name)
{
    if (!openCatalog())
        return std::nullopt;
    auto connection = m_catalog->connection(name);
    if (!connection)
        fail(QStringLiteral("no connection named \"%1\"; see `mako-connect-cli connections list`").arg(name));
    return connection;
}

int CliApp::run()
{
    if (m_args.isEmpty() || takeFlag(QStringLiteral("--help")) || takeFlag(QStringLiteral("-h"))) {
        m_out << kUsage;
        return m_args.isEmpty() ? Ok : Ok;
    }
    if (takeFlag(QStringLiteral("--version"))) {
        m_out << "mako-connect-cli " << MC_VERSION << "\n";
        return Ok;
    }
    bool present = false;
    m_catalogPath = takeOption(QStringLiteral("--catalog"), &present);
    if (present && m_catalogPath.isEmpty())
        return usage(QStringLiteral("--catalog needs a path"));
    if (m_catalogPath.isEmpty())
        m_catalogPath = Catalog::defaultLocation();
    QString backend = takeOption(QStringLiteral("--secrets"), &present);
    if (!present)
        backend = qEnvironmentVariable("MAKO_CONNECT_SECRETS", QStringLiteral("automatic"));
    const auto chosen = secretBackendFromName(backend);
    if (!chosen)
        return usage(QStringLiteral("--secrets takes keychain or file (\"%1\" was given)").arg(backend));
    m_secretsBackend = *chosen;

    registerBuiltinConnectors();
    const QString command = takePositional();
    if (command == QLatin1String("connectors"))
        return cmdConnectors();
    if (command == QLatin1String("connections"))
        return cmdConnections();
    if (command == QLatin1String("test"))
        return cmdTest();
    if (command == QLatin1String("sync"))
        return cmdSync();
    if (command == QLatin1String("schedule"))
        return cmdSchedule();
    if (command == QLatin1String("worker"))
        return cmdWorker();
    if (command == QLatin1String("runs"))
        return cmdRuns();
    if (command == QLatin1String("records"))
        return cmdRecords();
    if (command == QLatin1String("sql"))
        return cmdSql();
    if (command == QLatin1String("secrets"))
        return cmdSecrets();
    if (command.isEmpty())
        return usage(QStringLiteral("no command given"));
    return usage(QStringLiteral("unknown command \"%1\"").arg(command));
}

int CliApp::cmdSecrets()
{
    const QString action = takePositional();
    if (action == QLatin1String("status")) {
        if (!expectNoMore())
            return Usage;
        if (!openCatalog())
            return Failed;
        m_out << (m_secrets->backendName() == QLatin1String("keychain")
                      ? QStringLiteral("keychain: the system keychain")
                      : QStringLiteral("file: %1").arg(FileSecretStore::defaultPathFor(m_catalogPath)))
              << "\n";
        return Ok;
    }
    if (action != QLatin1String("migrate"))
        return usage(QStringLiteral("secrets takes status or migrate --to keychain|file"));
    bool present = false;
    const auto target = secretBackendFromName(takeOption(QStringLiteral("--to"), &present));
    if (!present || !target || *target == SecretBackend::Automatic)
        return usage(QStringLiteral("secrets migrate needs --to keychain or --to file"));
    if (!expectNoMore())
        return Usage;
    // Not openCatalog(): the store in use may be the one that no longer answers.
    Catalog catalog(m_catalogPath);
    if (!catalog.isOpen())
        return fail(catalog.errorString());
    const SecretMove move = moveSecrets(catalog, *target);
    if (!move.error.isEmpty())
        return fail(move.error);
    m_out << move.summary << "\n";
    return Ok;
}

int CliApp::cmdConnectors()
{
    const bool json = takeFlag(QStringLiteral("--json"));
    if (!expectNoMore())
        return Usage;
    const QList<ConnectorMetadata> all = ConnectorRegistry::instance().all();
    if (json) {
        QJsonArray array;
        for (const ConnectorMetadata &metadata : all)
            array.append(metadata.toJson());
        m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return Ok;
    }
    for (const ConnectorMetadata &metadata : all) {
        QStringList entities;
        for (const EntityInfo &entity : metadata.entities)
            entities.append(entity.name);
        if (entities.isEmpty() && metadata.configEntities)
            entities.append(QStringLiteral("(defined by each connection's settings)"));
        m_out << metadata.id << "  " << metadata.name << " " << metadata.version << "\n    "
              << metadata.description << "\n    entities: " << entities.join(QStringLiteral(", ")) << "\n";
    }
    return Ok;
}

int CliApp::cmdConnections()
{
    const QString sub = takePositional();
    if (sub == QLatin1String("add")) {
        bool hasConnector = false, hasName = false, hasConfig = false;
        const QString connectorId = takeOption(QStringLiteral("--connector"), &hasConnector);
        const QString name = takeOption(QStringLiteral("--name"), &hasName);
        QString configText = takeOption(QStringLiteral("--config"), &hasConfig);
        if (!expectNoMore())
            return Usage;
        if (!hasConnector || connectorId.isEmpty())
            return usage(QStringLiteral("connections add needs --connector ID"));
        if (!hasName || name.trimmed().isEmpty())
            return usage(QStringLiteral("connections add needs --name NAME"));
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connectorId);
        if (!metadata)
            return fail(
                QStringLiteral("unknown connector \"%1\"; run `mako-connect-cli connectors` to list them")
                    .arg(connectorId),
                Usage);
        if (configText.startsWith(QLatin1Char('@'))) {
            QFile file(configText.mid(1));
            if (!file.open(QIODevice::ReadOnly))
                return fail(QStringLiteral("cannot read the config file %1: %2")
                                .arg(file.fileName(), file.errorString()),
                            Usage);
            configText = QString::fromUtf8(file.readAll());
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(
            configText.isEmpty() ? QByteArray("{}") : configText.toUtf8(), &parseError);
        if (!doc.isObject())
            return fail(QStringLiteral("--config is not a JSON object (%1 at character %2); example: "
                                       "--config '{\"api_key\": \"sk_live_...\"}'")
                            .arg(parseError.error == QJsonParseError::NoError
                                     ? QStringLiteral("not an object")
                                     : parseError.errorString())
                            .arg(parseError.offset),
                        Usage);
        const QStringList problems = validateConfigAgainstSpec(metadata->config, doc.object());
        if (!problems.isEmpty()) {
            for (const QString &problem : problems)
                m_err << problem << "\n";
            return Usage;
        }
        if (!openCatalog())
            return Failed;
        if (m_catalog->connection(name.trimmed()))
            return fail(QStringLiteral("a connection named \"%1\" already exists").arg(name.trimmed()),
                        Usage);
        QString error;
        const qint64 id = m_engine->saveConnection(0, name, connectorId, doc.object(), &error);
        if (id == 0)
            return fail(error);
        m_out << "Added connection \"" << name.trimmed() << "\" (" << metadata->name << ")\n";
        return Ok;
    }
    if (sub == QLatin1String("list")) {
        const bool json = takeFlag(QStringLiteral("--json"));
        if (!expectNoMore())
            return Usage;
        if (!openCatalog())
            return Failed;
        const QList<ConnectionInfo> list = m_catalog->connections();
        if (json) {
            QJsonArray array;
            for (const ConnectionInfo &c : list)
                array.append(
                    QJsonObject{{QStringLiteral("id"), c.id},
                                {QStringLiteral("name"), c.name},
                                {QStringLiteral("connector"), c.connectorId},
                                {QStringLiteral("config"), c.config},
                                {QStringLiteral("created"), c.createdAt.toUTC().toString(Qt::ISODate)}});
            m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
            return Ok;
        }
        if (list.isEmpty())
            m_out << "No connections yet. Add one with `mako-connect-cli connections add`.\n";
        for (const ConnectionInfo &c : list)
            m_out << c.name << "  (" << c.connectorId << ")\n";
        return Ok;
    }
    if (sub == QLatin1String("remove")) {
        const QString name = takePositional();
        if (name.isEmpty())
            return usage(QStringLiteral("connections remove needs a NAME"));
        if (!expectNoMore())
            return Usage;
        const auto connection = findConnection(name);
        if (!connection)
            return Failed;
        const qint64 id = connection->id;
        QFuture<QVariant> done = m_engine->writer()->submit(
            [id](Catalog &catalog) { return QVariant(catalog.removeConnection(id)); });
        done.waitForFinished();
        if (!done.result().toBool())
            return fail(QStringLiteral("could not remove \"%1\"").arg(name));
        m_engine->removeSecrets(id, connection->connectorId);
        m_out << "Removed connection \"" << name << "\" and its records\n";
        return Ok;
    }
    if (sub == QLatin1String("set-secret"))
        return cmdSetSecret();
    if (sub == QLatin1String("export"))
        return cmdConnectionsExport();
    if (sub == QLatin1String("import"))
        return cmdConnectionsImport();
    return usage(sub.isEmpty()
                     ? QStringLiteral("connections needs add, list, remove, set-secret, export or import")
                     : QStringLiteral("unknown connections command \"%1\"").arg(sub));
}

QString CliApp::readSecret(const QString &prompt, bool terminal)
{
    termios saved = {};
    if (terminal) {
        m_err << prompt;
        m_err.flush();
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    QFile input;
    input.open(stdin, QIODevice::ReadOnly);
    const QString value = QString::fromUtf8(input.readLine()).trimmed();
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        m_err << "\n";
    }
    return value;
}

int CliApp::cmdConnectionsExport()
{
    bool present = false;
    const QString style = takeOption(QStringLiteral("--secret-refs"), &present);
    if (present && style != QLatin1String("env") && style != QLatin1String("keychain"))
        return usage(QStringLiteral("--secret-refs takes env or keychain"));
    QStringList names;
    for (QString name = takePositional(); !name.isEmpty(); name = takePositional())
        names.append(name);
    if (!expectNoMore())
        return Usage;
    if (!openCatalog())
        return Failed;
    QList<ConnectionInfo> chosen;
    for (const QString &name : std::as_const(names)) {
        const auto connection = findConnection(name);
        if (!connection)
            return Failed;
        chosen.append(*connection);
    }
    if (names.isEmpty())
        chosen = m_catalog->connections();
    const auto reference = style == QLatin1String("keychain") ? ConnectionFile::SecretReference::Keychain
                                                              : ConnectionFile::SecretReference::Environment;
    m_out
        << QJsonDocument(ConnectionFile::write(chosen, reference, *m_engine)).toJson(QJsonDocument::Indented);
    return Ok;
}

// All or nothing: every entry is checked and every secret found before the first connection is saved.
int CliApp::cmdConnectionsImport()
{
    const QString path = takePositional();
    if (path.isEmpty())
        return usage(QStringLiteral("connections import needs a FILE (or - for standard input)"));
    if (!expectNoMore())
        return Usage;
    QFile file(path == QLatin1String("-") ? QString() : path);
    const bool opened =
        path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly) : file.open(QIODevice::ReadOnly);
    if (!opened)
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), Usage);
    QString error;
    QList<ConnectionFile::Entry> entries =
        ConnectionFile::read(file.readAll(), QProcessEnvironment::systemEnvironment(), &error);
    if (!error.isEmpty())
        return fail(QStringLiteral("%1: %2; nothing was imported").arg(path, error), Usage);
    if (!openCatalog())
        return Failed;
    // Asked on the terminal when the file did not come through standard input.
    ConnectionFile::AskSecret ask;
    if (path != QLatin1String("-") && ::isatty(STDIN_FILENO))
        ask = [this](const QString &connection, const QString &field, const QString &) {
            return readSecret(QStringLiteral("%1 for \"%2\": ").arg(field, connection), true);
        };
    const ConnectionFile::ImportResult result =
        ConnectionFile::importEntries(*m_engine, *m_catalog, entries, ask);
    if (!result.ok)
        return fail(QStringLiteral("%1: %2").arg(path, result.error), result.badFile ? Usage : Failed);
    m_out << "Imported " << result.added + result.updated << " connections: " << result.added << " added, "
          << result.updated << " updated\n";
    return Ok;
}

// Reads the secret from standard input (never from the command line, where `ps` would show it), without echo
// when it is a terminal, and stores it for the connection, whose records stay.
int CliApp::cmdSetSecret()
{
    const QString name = takePositional();
    bool hasField = false;
    QString field = takeOption(QStringLiteral("--field"), &hasField);
    if (name.isEmpty())
        return usage(QStringLiteral("connections set-secret needs a NAME"));
    if (!expectNoMore())
        return Usage;
    const auto connection = findConnection(name);
    if (!connection)
        return Failed;
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection->connectorId);
    const QStringList fields = metadata ? metadata->secretFieldNames() : QStringList();
    if (!hasField && fields.size() == 1)
        field = fields.first();
    if (field.isEmpty())
        return usage(
            QStringLiteral("choose the secret with --field: %1").arg(fields.join(QStringLiteral(", "))));
    const QString value = readSecret(QStringLiteral("New %1 for \"%2\": ").arg(field, connection->name),
                                     ::isatty(STDIN_FILENO));
    QString error;
    if (!m_engine->setSecret(*connection, field, value, &error))
        return fail(error);
    m_out << "Stored the " << field << " of \"" << connection->name << "\"\n";
    return Ok;
}

int CliApp::cmdTest()
{
    const QString name = takePositional();
    if (name.isEmpty())
        return usage(QStringLiteral("test needs a connection NAME"));
    if (!expectNoMore())
        return Usage;
    const auto connection = findConnection(name);
    if (!connection)
        return Failed;
    QString error;
    const QJsonObject config = m_engine->resolvedConfig(*connection, &error);
    if (!error.isEmpty())
        return fail(error);
    TestJob *job = m_engine->startTest(connection->connectorId, config);
    TestResult result;
    QEventLoop loop;
    QObject::connect(job, &TestJob::finished, &loop, [&](const TestResult &r) {
        result = r;
        loop.quit();
    });
    loop.exec();
    if (result.success) {
        m_out << result.message << "\n";
        return Ok;
    }
    m_err << result.message << "\n";
    return Failed;
}

int CliApp::cmdSync()
{
    // Options first: a value ("--now 2026-…") must not be taken for the NAME.
    QDateTime now;
    if (!takeClock(&now))
        return Usage;
    const bool due = takeFlag(QStringLiteral("--due"));
    const QStringList entities = takeOptions(QStringLiteral("--entity"));
    bool present = false;
    const QString mode = takeOption(QStringLiteral("--mode"), &present);
    if (present && mode != QLatin1String("full") && mode != QLatin1String("incremental"))
        return usage(QStringLiteral("--mode takes full or incremental"));
    QString progressMode = takeOption(QStringLiteral("--progress"), &present);
    if (!present)
        progressMode = QStringLiteral("text");
    const bool restart = takeFlag(QStringLiteral("--restart"));
    if (progressMode != QLatin1String("text") && progressMode != QLatin1String("json") &&
        progressMode != QLatin1String("none"))
        return usage(QStringLiteral("--progress takes text, json or none"));
    const QString name = takePositional();
    if (due && (!name.isEmpty() || !entities.isEmpty()))
        return usage(
            QStringLiteral("sync --due syncs every connection that is due; give no NAME or --entity"));
    if (!due && name.isEmpty())
        return usage(QStringLiteral("sync needs a connection NAME (or --due)"));
    if (!expectNoMore())
        return Usage;
    SyncOptions options;
    options.mode = mode == QLatin1String("incremental") ? SyncMode::Incremental : SyncMode::Full;
    // --entity NAME or NAME=full|incremental: that entity's own mode.
    for (const QString &entity : entities) {
        const QString name = entity.section(QLatin1Char('='), 0, 0);
        const QString own = entity.section(QLatin1Char('='), 1);
        if (name.isEmpty())
            return usage(QStringLiteral("--entity needs a name"));
        if (entity.contains(QLatin1Char('=')) && own != QLatin1String("full") &&
            own != QLatin1String("incremental"))
            return usage(QStringLiteral("--entity %1=MODE takes full or incremental").arg(name));
        options.entities << name;
        if (!own.isEmpty())
            options.entityModes.insert(name,
                                       own == QLatin1String("full") ? SyncMode::Full : SyncMode::Incremental);
    }
    options.continueInterrupted = !restart;
    if (due)
        return syncDue(options, progressMode, now);
    const auto connection = findConnection(name);
    if (!connection)
        return Failed;
    return runSync(*connection, options, progressMode);
}

bool CliApp::takeClock(QDateTime *now)
{
    bool present = false;
    const QString text = takeOption(QStringLiteral("--now"), &present);
    *now = present ? QDateTime::fromString(text, Qt::ISODate) : QDateTime::currentDateTimeUtc();
    if (present && !now->isValid()) {
        usage(QStringLiteral("--now takes an ISO 8601 time such as 2026-12-03T03:00:00Z (\"%1\" was given)")
                  .arg(text));
        return false;
    }
    *now = now->toUTC();
    return true;
}

int CliApp::cmdSchedule()
{
    bool every = false;
    bool cron = false;
    bool zone = false;
    const QString interval = takeOption(QStringLiteral("--every"), &every);
    const QString expression = takeOption(QStringLiteral("--cron"), &cron);
    const QString timeZone = takeOption(QStringLiteral("--tz"), &zone);
    const bool off = takeFlag(QStringLiteral("--off"));
    QDateTime now;
    if (!takeClock(&now))
        return Usage;
    const QString name = takePositional();
    if (name.isEmpty())
        return usage(QStringLiteral("schedule needs a connection NAME"));
    if (int(every) + int(cron) + int(off) > 1)
        return usage(QStringLiteral("give one of --every, --cron and --off"));
    if (zone && !cron)
        return usage(QStringLiteral("--tz goes with --cron (an interval needs no time zone)"));
    if (!expectNoMore())
        return Usage;
    const auto connection = findConnection(name);
    if (!connection)
        return Failed;
    if (every || cron || off) {
        QString error;
        std::optional<Schedule> schedule = Schedule();
        if (every)
            schedule = Schedule::every(interval, &error);
        else if (cron)
            schedule = Schedule::fromCron(expression, timeZone.toUtf8(), &error);
        if (!schedule)
            return usage(error);
        schedule->setAt = now;
        if (!m_catalog->setSchedule(connection->id, *schedule))
            return fail(QStringLiteral("Cannot save the schedule: %1").arg(m_catalog->errorString()));
    }
    const Schedule schedule = m_catalog->schedule(connection->id);
    if (!schedule.isOn()) {
        m_out << connection->name << ": not scheduled\n";
        return Ok;
    }
    const QDateTime next = nextScheduledRun(*m_catalog, connection->id, schedule);
    const QString when = next.isValid() && next <= now
                             ? QStringLiteral("due now")
                             : QStringLiteral("next run %1")
                                   .arg(next.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    m_out << connection->name << ": " << schedule.describe() << "; " << when
          << " (run by `mako-connect-cli sync --due` or the open app)\n";
    return Ok;
}

int CliApp::cmdWorker()
{
    bool present = false;
    const QString concurrencyText = takeOption(QStringLiteral("--concurrency"), &present);
    bool ok = true;
    const int concurrency = present ? concurrencyText.toInt(&ok) : 1;
    if (!ok || concurrency < 1 || concurrency > 16)
        return usage(QStringLiteral("--concurrency takes a number from 1 to 16"));
    const QString pollText = takeOption(QStringLiteral("--poll"), &present);
    const int poll = present ? pollText.toInt(&ok) : 30;
    if (!ok || poll < 1 || poll > 3600)
        return usage(QStringLiteral("--poll takes seconds from 1 to 3600"));
    const QString mode = takeOption(QStringLiteral("--mode"), &present);
    if (present && mode != QLatin1String("full") && mode != QLatin1String("incremental"))
        return usage(QStringLiteral("--mode takes full or incremental"));
    if (!expectNoMore())
        return Usage;
    if (!openCatalog())
        return Failed;
    SyncScheduler scheduler(m_engine.get(), m_catalog.get());
    scheduler.setMaxRunning(concurrency);
    SyncOptions options;
    options.mode = mode == QLatin1String("incremental") ? SyncMode::Incremental : SyncMode::Full;
    scheduler.setOptions(options);
    QEventLoop loop;
    bool stopping = false;
    const auto say = [this](const QString &line) {
        m_err << QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")) << "  " << line << "\n";
        m_err.flush();
    };
    QObject::connect(&scheduler, &SyncScheduler::started, &loop,
                     [&](qint64, const QString &name, const QDateTime &due) {
                         say(QStringLiteral("%1: started (due since %2)")
                                 .arg(name, due.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
                     });
    QObject::connect(
        &scheduler, &SyncScheduler::finished, &loop, [&](const QString &name, const RunSummary &s) {
            qint64 saved = 0;
            for (qint64 n : s.processed)
                saved += n;
            say(QStringLiteral("%1: %2, %3 records saved in %4 s%5")
                    .arg(name, s.status, formatCount(saved), QString::number(s.elapsedMs / 1000.0, 'f', 1),
                         s.error.isEmpty() ? QString() : QStringLiteral(": ") + s.error));
            if (stopping && scheduler.runningCount() == 0)
                loop.quit();
        });
    const auto notifier = onStopSignals(&loop, [&] {
        if (stopping)
            return;
        stopping = true;
        say(QStringLiteral(
            "Stopping: the syncs running now keep what they saved and resume at their next run"));
        scheduler.stop();
        m_engine->cancelAll();
        if (scheduler.runningCount() == 0)
            loop.quit();
    });
    say(QStringLiteral("Worker %1 (pid %2) on %3: syncs what is due, checking every %4 s, up to %5 at once")
            .arg(QSysInfo::machineHostName())
            .arg(QCoreApplication::applicationPid())
            .arg(CatalogLocation::display(m_catalogPath))
            .arg(poll)
            .arg(concurrency));
    scheduler.start(poll * 1000);
    loop.exec();
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    return Ok;
}

int CliApp::syncDue(const SyncOptions &options, const QString &progressMode, const QDateTime &now)
{
    if (!openCatalog())
        return Failed;
    QList<ScheduledSync> due;
    QDateTime next;
    for (const ScheduledSync &scheduled : scheduledSyncs(*m_catalog)) {
        if (scheduled.isDue(now))
            due.append(scheduled);
        else if (scheduled.nextRun.isValid() && (!next.isValid() || scheduled.nextRun < next))
            next = scheduled.nextRun;
    }
    if (due.isEmpty()) {
        if (progressMode == QLatin1String("text"))
            m_err << (next.isValid()
                          ? QStringLiteral("Nothing is due; the next scheduled sync is at %1\n")
                                .arg(next.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                          : QStringLiteral("Nothing is due: no connection has a schedule "
                                           "(see `mako-connect-cli schedule`)\n"));
        return Ok;
    }
    int exit = Ok;
    for (const ScheduledSync &scheduled : std::as_const(due)) {
        const auto connection = m_catalog->connectionById(scheduled.connectionId);
        if (!connection)
            continue;
        if (progressMode == QLatin1String("text"))
            m_err << connection->name << ": due since "
                  << scheduled.nextRun.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) << " ("
                  << scheduled.schedule.describe() << ")\n";
        // Claimed first: of several `sync --due` (cron on two machines) one runs this firing.
        const QDateTime before = scheduled.schedule.lastFired;
        if (!m_catalog->claimScheduleFiring(connection->id, before, now)) {
            m_err << connection->name << ": skipped: another process took this run\n";
            continue;
        }
        bool began = false;
        const int code = runSync(*connection, options, progressMode, [&] { began = true; });
        if (!began && code == Ok) // syncing elsewhere: stays due
            m_catalog->claimScheduleFiring(connection->id, now, before);
        if (code == Interrupted)
            return Interrupted;
        if (code != Ok)
            exit = Failed;
    }
    return exit;
}

int CliApp::runSync(const ConnectionInfo &connection, const SyncOptions &options, const QString &progressMode,
                    const std::function<void()> &started)
{
    QString error;
    SyncRefusal refusal = SyncRefusal::None;
    SyncJob *job = m_engine->startSync(connection, options, &error, &refusal);
    if (!job && started && refusal == SyncRefusal::AlreadySyncing) {
        // A schedule never starts a second run of a connection: this one stays due.
        m_err << connection.name << ": skipped: " << error << "\n";
        return Ok;
    }
    if (!job)
        return fail(error, refusal == SyncRefusal::NotReady ? Failed : Usage);
    if (started)
        started();

    // SIGINT/SIGTERM cancel the sync; the workers stop, committed pages stay, and we exit 130.
    bool interrupted = false;
    const auto notifier = onStopSignals(job, [&] {
        if (!interrupted)
            m_err << "Stopping: finishing the commit in progress; the next sync resumes from here.\n";
        m_err.flush();
        interrupted = true;
        job->cancel();
    });

    QHash<QString, qint64> lastPrinted;
    QHash<QString, EntityProgress> waiting; // entities waiting for the API now, said again every 5 s
    const ConnectorMetadata *connector = ConnectorRegistry::instance().metadata(connection.connectorId);
    m_sourceName = connector ? connector->name : QString();
    QObject::connect(job, &SyncJob::progress, job, [&](const EntityProgress &p) {
        if (p.state == QLatin1String("waiting"))
            waiting.insert(p.entity, p);
        else
            waiting.remove(p.entity);
        if (progressMode == QLatin1String("json"))
            printJsonProgress(p);
        else if (progressMode == QLatin1String("text"))
            printTextProgress(p, &lastPrinted);
    });
    QTimer waitTicker;
    waitTicker.setInterval(1000);
    QObject::connect(&waitTicker, &QTimer::timeout, job, [&] {
        if (progressMode != QLatin1String("text"))
            return;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const EntityProgress &p : std::as_const(waiting)) {
            if (now - lastPrinted.value(p.entity) >= 5000)
                printTextProgress(p, &lastPrinted);
        }
    });
    waitTicker.start();
    QObject::connect(job, &SyncJob::logMessage, job,
                     [&](const QString &entity, const QString &level, const QString &message) {
                         if (progressMode == QLatin1String("text") && level == QLatin1String("warning")) {
                             m_err << entity << ": " << message << "\n";
                             m_err.flush();
                         }
                     });
    RunSummary summary;
    QEventLoop loop;
    QObject::connect(job, &SyncJob::finished, &loop, [&](const RunSummary &s) {
        summary = s;
        loop.quit();
    });
    loop.exec();
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);

    qint64 saved = 0;
    for (qint64 n : std::as_const(summary.processed))
        saved += n;
    if (interrupted || summary.status == QLatin1String("cancelled")) {
        if (progressMode != QLatin1String("json"))
            m_err << "Sync cancelled; the " << formatCount(saved)
                  << " records saved are kept. Run the same command to resume.\n";
        return interrupted ? Interrupted : Failed;
    }
    if (summary.status != QLatin1String("done")) {
        m_err << (summary.status == QLatin1String("partial") ? "Sync partly failed: " : "Sync failed: ")
              << summary.error << "\n"
              << "This run saved " << formatCount(saved) << " records, all kept. ";
        switch (summary.failure) {
        case FailureKind::Auth:
            m_err << "Fix the key first (`mako-connect-cli connections set-secret \"" << connection.name
                  << "\"`), then run the same command again: it resumes.\n";
            break;
        case FailureKind::Refused:
            m_err << "Running it again as it is will fail the same way: change what the error names first.\n";
            break;
        case FailureKind::Catalog:
            m_err << "Once the catalog can be written again, the same command resumes.\n";
            break;
        default:
            m_err << "Running the same command again resumes the failed entities from their last saved page; "
                     "entities already done are not fetched again.\n";
        }
        return Failed;
    }
    if (progressMode == QLatin1String("text"))
        m_err << "Sync done: " << formatCount(saved) << " records saved in "
              << QString::number(summary.elapsedMs / 1000.0, 'f', 1) << " s\n";
    return Ok;
}

void CliApp::printJsonProgress(const EntityProgress &p)
{
    QJsonObject line{{QStringLiteral("entity"), p.entity},
                     {QStringLiteral("processed"), p.processed},
                     {QStringLiteral("committed"), p.committed},
                     {QStringLiteral("total"), p.total >= 0 ? QJsonValue(p.total) : QJsonValue()},
                     {QStringLiteral("totalEstimated"), p.totalEstimated},
                     {QStringLiteral("pages"), p.pages},
                     {QStringLiteral("rate"), qRound(p.rate * 10) / 10.0},
                     {QStringLiteral("state"), p.state},
                     {QStringLiteral("resumed"), p.resumed}};
    if (!p.error.isEmpty())
        line.insert(QStringLiteral("error"), p.error);
    if (p.state == QLatin1String("waiting")) {
        line.insert(QStringLiteral("wait_reason"), p.waitReason);
        line.insert(QStringLiteral("wait_until"), p.waitUntil.toUTC().toString(Qt::ISODate));
    }
    m_out << QJsonDocument(line).toJson(QJsonDocument::Compact) << "\n";
    m_out.flush();
}

// One line per entity when it starts (resumed, started or skipped), then at most one a second, and its end.
// The count is what is committed; what was fetched but not saved is said beside it.
void CliApp::printTextProgress(const EntityProgress &p, QHash<QString, qint64> *lastPrinted)
{
    const bool first = !lastPrinted->contains(p.entity);
    const bool final = p.state != QLatin1String("running");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (p.state == QLatin1String("waiting")) {
        // "issues: waiting 42 s — GitHub rate limit (HTTP 403), until 14:03:10"
        const qint64 left = qMax<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(p.waitUntil));
        m_err << p.entity << ": waiting " << formatWait(left) << " — "
              << (m_sourceName.isEmpty() ? p.waitReason : m_sourceName + QLatin1Char(' ') + p.waitReason)
              << ", until " << p.waitUntil.toLocalTime().toString(QStringLiteral("HH:mm:ss")) << "\n";
    } else if (p.state == QLatin1String("skipped")) {
        m_err << p.entity << ": already done in the interrupted run this one continues ("
              << formatCount(p.committed) << " records); skipped\n";
    } else if (first && !final) {
        if (p.resumed)
            m_err << p.entity << ": resuming after " << formatCount(p.committed) << " saved records\n";
        else
            m_err << p.entity << ": starting\n";
    } else if (final || now - lastPrinted->value(p.entity) >= 1000) {
        QString line = QStringLiteral("%1: %2").arg(p.entity, formatCount(p.committed));
        if (p.total >= 0) // "≈": the last full refresh's count, the source says none
            line += QStringLiteral(" / %1%2").arg(p.totalEstimated ? QStringLiteral("≈") : QString(),
                                                  formatCount(p.total));
        line += QStringLiteral(" records saved");
        if (p.processed > p.committed)
            line += QStringLiteral(" (%1 fetched)").arg(formatCount(p.processed));
        if (p.rate > 0 && !final)
            line += QStringLiteral(", %1/s").arg(formatCount(qint64(p.rate)));
        if (final)
            line += QStringLiteral(" — ") + p.state;
        if (!p.error.isEmpty())
            line += QStringLiteral(": ") + p.error;
        m_err << line << "\n";
    } else {
        return;
    }
    lastPrinted->insert(p.entity, now);
    m_err.flush();
}

int CliApp::cmdRuns()
{
    const QString name = takePositional();
    const bool json = takeFlag(QStringLiteral("--json"));
    if (name.isEmpty())
        return usage(QStringLiteral("runs needs a connection NAME"));
    if (!expectNoMore())
        return Usage;
    const auto connection = findConnection(name);
    if (!connection)
        return Failed;
    m_engine->writer()->flush(); // stale runs were just marked interrupted
    const QList<RunInfo> runs = m_catalog->runs(connection->id);
    if (json) {
        QJsonArray array;
        for (const RunInfo &run : runs) {
            QJsonObject object{{QStringLiteral("id"), run.id},
                               {QStringLiteral("status"), run.status},
                               {QStringLiteral("mode"), run.mode},
                               {QStringLiteral("entities"), QJsonArray::fromStringList(run.entities)},
                               {QStringLiteral("started"), run.startedAt.toUTC().toString(Qt::ISODateWithMs)},
                               {QStringLiteral("records"), run.records},
                               {QStringLiteral("entityCounts"), run.entityCounts},
                               {QStringLiteral("entityResults"), run.entityResults},
                               {QStringLiteral("host"), run.host},
                               {QStringLiteral("pid"), run.pid}};
            if (run.finishedAt.isValid()) {
                object.insert(QStringLiteral("finished"), run.finishedAt.toUTC().toString(Qt::ISODateWithMs));
                object.insert(QStringLiteral("durationMs"), run.startedAt.msecsTo(run.finishedAt));
            }
            if (!run.error.isEmpty())
                object.insert(QStringLiteral("error"), run.error);
            array.append(object);
        }
        m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return Ok;
    }
    if (runs.isEmpty())
        m_out << "No runs yet for \"" << name << "\".\n";
    for (const RunInfo &run : runs) {
        m_out << "#" << run.id << "  " << run.startedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
              << "  " << run.status << "  " << run.mode << "  " << formatCount(run.records) << " records";
        if (run.finishedAt.isValid())
            m_out << "  " << QString::number(run.startedAt.msecsTo(run.finishedAt) / 1000.0, 'f', 1) << " s";
        m_out << "\n";
        // Per entity: what this run committed and how it ended (live while the run is running).
        QStringList entities = run.entities;
        for (const QString &entity : run.entityCounts.keys() + run.entityResults.keys()) {
            if (!entities.contains(entity))
                entities.append(entity);
        }
        for (const QString &entity : std::as_const(entities)) {
            const QJsonObject result = run.entityResults.value(entity).toObject();
            m_out << "    " << entity << ": " << formatCount(run.entityCounts.value(entity).toInteger())
                  << " saved";
            if (const QString state = result.value(QStringLiteral("state")).toString(); !state.isEmpty())
                m_out << " — " << state;
            if (const QString why = result.value(QStringLiteral("error")).toString(); !why.isEmpty())
                m_out << ": " << why;
            m_out << "\n";
        }
        if (!run.error.isEmpty() && run.entityResults.isEmpty())
            m_out << "    " << run.error << "\n";
    }
    return Ok;
}

QString CliApp::takeExportOptions(ExportOptions *options, QString *output)
{
    bool present = false;
    const QString format = takeOption(QStringLiteral("--format"), &present);
    if (present && format != QLatin1String("jsonl") && format != QLatin1String("csv") &&
        format != QLatin1String("xlsx"))
        return QStringLiteral("--format takes jsonl, csv or xlsx");
    *output = takeOption(QStringLiteral("--output"), &present);
    if (present && output->isEmpty())
        return QStringLiteral("--output needs a FILE");
    options->format = format == QLatin1String("csv")    ? ExportFormat::Csv
                      : format == QLatin1String("xlsx") ? ExportFormat::Xlsx
                      : output->isEmpty()               ? ExportFormat::JsonLines
                                                        : ExportOptions::formatForPath(*output);
    options->flatten = takeFlag(QStringLiteral("--flatten"));
    if (options->format == ExportFormat::Xlsx && output->isEmpty())
        return QStringLiteral("an xlsx export needs --output FILE");
    const QString delimiter = takeOption(QStringLiteral("--delimiter"), &present);
    const bool bom = takeFlag(QStringLiteral("--bom"));
    const bool rawTimes = takeFlag(QStringLiteral("--raw-times"));
    const bool nullText = takeFlag(QStringLiteral("--null-text"));
    if ((present || bom || rawTimes || nullText) && options->format != ExportFormat::Csv)
        return QStringLiteral("--delimiter, --bom, --raw-times and --null-text are for --format csv");
    if (present) {
        if (delimiter == QLatin1String("tab"))
            options->delimiter = QLatin1Char('\t');
        else if (delimiter.size() == 1 && QStringLiteral(",;|").contains(delimiter))
            options->delimiter = delimiter.at(0);
        else
            return QStringLiteral("--delimiter takes , ; | or tab");
    }
    options->utf8Bom = bom;
    options->isoDates = !rawTimes;
    options->nullAsEmpty = !nullText;
    return {};
}

int CliApp::cmdRecords()
{
    const QString name = takePositional();
    const QString entity = takePositional();
    ExportOptions options;
    QString output;
    const QString problem = takeExportOptions(&options, &output);
    if (!problem.isEmpty())
        return usage(problem);
    bool present = false;
    const QString limitText = takeOption(QStringLiteral("--limit"), &present);
    qint64 limit = -1;
    if (present) {
        bool ok = false;
        limit = limitText.toLongLong(&ok);
        if (!ok || limit < 0)
            return usage(QStringLiteral("--limit takes a whole number"));
    }
    if (name.isEmpty() || entity.isEmpty())
        return usage(QStringLiteral("records needs a connection NAME and an ENTITY"));
    if (!expectNoMore())
        return Usage;
    const auto connection = findConnection(name);
    if (!connection)
        return Failed;
    const ConnectorMetadata *registered = ConnectorRegistry::instance().metadata(connection->connectorId);
    // Entities may be defined by the connection's config (files, GraphQL).
    const std::optional<ConnectorMetadata> metadata =
        registered ? std::optional<ConnectorMetadata>(registered->forConfig(connection->config))
                   : std::nullopt;
    const EntityInfo *info = metadata ? metadata->entity(entity) : nullptr;
    if (metadata && !info)
        return fail(QStringLiteral("unknown entity \"%1\" for %2; choose from: %3")
                        .arg(entity, metadata->name, metadata->entityNames().join(QStringLiteral(", "))),
                    Usage);
    RecordsQuery query;
    query.backend = CatalogLocation::backendOf(m_catalogPath);
    query.connectionId = connection->id;
    query.entity = entity;
    if (info && !info->primaryKey.isEmpty())
        query.keyName = info->primaryKey;
    query.limit = limit;
    // Typed columns from the entity's schema: the same as the app's records browser and its exports.
    query.loadColumns(m_catalog->database(), options.flatten);
    m_out.flush();
    const ExportResult result =
        exportRecords(m_catalog->database(), query, options, output.isEmpty() ? QStringLiteral("-") : output);
    if (!result.ok)
        return fail(result.error);
    if (!output.isEmpty())
        m_err << "Exported " << formatCount(result.rows) << " records to " << output << "\n";
    return Ok;
}

void CliApp::printRow(const QStringList &columns, const QVariantList &values, const QString &format)
{
    if (format == QLatin1String("jsonl")) {
        QJsonObject object;
        for (qsizetype i = 0; i < values.size(); ++i)
            object.insert(columns.at(i), QJsonValue::fromVariant(values.at(i)));
        m_out << QJsonDocument(object).toJson(QJsonDocument::Compact) << "\n";
        return;
    }
    QStringList cells;
    for (const QVariant &value : values)
        cells.append(csvField(value.toString()));
    m_out << cells.join(QLatin1Char(',')) << "\n";
}

void CliApp::printRows(const QStringList &columns, const QString &format,
                       const std::function<bool(QVariantList *)> &next)
{
    if (format != QLatin1String("jsonl")) // CSV: a header row
        printRow(columns, QVariantList(columns.cbegin(), columns.cend()), format);
    QVariantList values;
    while (next(&values))
        printRow(columns, values, format);
}

int CliApp::cmdSql()
{
    const QString sql = takePositional();
    bool present = false;
    const QString format = takeOption(QStringLiteral("--format"), &present);
    if (present && format != QLatin1String("jsonl") && format != QLatin1String("csv"))
        return usage(QStringLiteral("--format takes csv or jsonl"));
    if (sql.isEmpty())
        return usage(QStringLiteral("sql needs a QUERY"));
    if (!expectNoMore())
        return Usage;
    if (!openCatalog())
        return Failed;
    // A separate read-only connection: the console can never change the catalog.
    const QString connectionName = ReadOnlyDb::uniqueName(QStringLiteral("mako-cli-readonly"));
    int code = Ok;
    {
        QString error;
        const QSqlDatabase db = ReadOnlyDb::open(m_catalogPath, connectionName, &error);
        QSqlQuery query(db);
        const auto outcome =
            db.isOpen() ? ReadOnlyDb::execStatement(db, query, sql, &error) : ReadOnlyDb::Outcome::Failed;
        if (!db.isOpen()) {
            code = fail(QStringLiteral("cannot open the catalog read-only: %1").arg(error));
        } else if (outcome == ReadOnlyDb::Outcome::Refused) {
            code = fail(error);
        } else if (outcome == ReadOnlyDb::Outcome::Failed) {
            code =
                fail(error.contains(QLatin1String("read-only")) || error.contains(QLatin1String("readonly"))
                         ? QStringLiteral("the SQL console is read-only: %1").arg(error)
                         : QStringLiteral("SQL error: %1").arg(error));
        } else {
            const QSqlRecord record = query.record();
            QStringList columns;
            for (int i = 0; i < record.count(); ++i)
                columns.append(record.fieldName(i));
            printRows(columns, format, [&](QVariantList *values) {
                if (!query.next())
                    return false;
                values->clear();
                for (int i = 0; i < record.count(); ++i)
                    values->append(ReadOnlyDb::value(query, i));
                return true;
            });
            query.finish();
            ReadOnlyDb::finishStatement(db);
        }
    }
    ReadOnlyDb::close(connectionName);
    return code;
}
