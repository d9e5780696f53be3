// The mako-connect-cli commands (shared DESIGN.md §7). Runs on the main thread; syncs run on the engine's
// workers while this thread's event loop prints their progress.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <QVariantList>

#include "secretlocation.h"

#include <functional>
#include <memory>
#include <optional>

class SyncEngine;
class Catalog;
struct ExportOptions;
struct ConnectionInfo;
struct EntityProgress;
struct SyncOptions;

class CliApp
{
public:
    explicit CliApp(QStringList arguments);
    ~CliApp();
    int exec();

    enum Exit { Ok = 0, Failed = 1, Usage = 2, Interrupted = 130 };

private:
    int run();
    bool openCatalog();
    // Opens the catalog and looks the connection up; prints why not (and returns nothing) when it can't.
    std::optional<ConnectionInfo> findConnection(const QString &name);
    int usage(const QString &problem);
    int fail(const QString &message, int code = Failed);

    int cmdConnectors();
    int cmdConnections();
    int cmdSetSecret();
    int cmdTest();
    int cmdSync();
    int cmdSchedule();
    int cmdWorker();
    // --now TIME, or the clock; false (usage printed) when TIME is not a time.
    bool takeClock(QDateTime *now);
    int syncDue(const SyncOptions &options, const QString &progressMode, const QDateTime &now);
    // Runs one sync to its end, printing its progress; `started` is called once the engine took it.
    int runSync(const ConnectionInfo &connection, const SyncOptions &options, const QString &progressMode,
                const std::function<void()> &started = {});
    int cmdRuns();
    int cmdRecords();
    int cmdConnectionsExport();
    int cmdConnectionsImport();
    // Reads one line of standard input, without echo after `prompt` on a terminal.
    QString readSecret(const QString &prompt, bool terminal);
    // The export flags of `records`: an empty result, or what is wrong with them.
    QString takeExportOptions(ExportOptions *options, QString *output);
    int cmdSql();
    // CSV (with a header) or JSON lines of the rows `next` gives until it returns false.
    void printRows(const QStringList &columns, const QString &format,
                   const std::function<bool(QVariantList *)> &next);
    void printRow(const QStringList &columns, const QVariantList &values, const QString &format);
    int cmdSecrets();
    void printJsonProgress(const EntityProgress &progress);
    void printTextProgress(const EntityProgress &progress, QHash<QString, qint64> *lastPrinted);

    bool takeFlag(const QString &name);
    // Value of "--name value" or "--name=value"; `present` tells whether it was given.
    QString takeOption(const QString &name, bool *present = nullptr);
    QStringList takeOptions(const QString &name);
    QString takePositional();
    bool expectNoMore();

    QStringList m_args;
    QString m_catalogPath;
    SecretBackend m_secretsBackend = SecretBackend::Automatic;
    QString m_sourceName; // the connector of the connection being synced ("GitHub"), for waiting lines
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<SyncEngine> m_engine;
    std::unique_ptr<Catalog> m_catalog;
    QTextStream m_out;
    QTextStream m_err;
};
