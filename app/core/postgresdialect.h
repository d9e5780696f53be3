// CatalogDialect for a catalog in PostgreSQL (postgresdialect.cpp): Qt's QPSQL driver for the catalog's
// statements, libpq itself for the record upserts (multi-row, bound as text) and the advisory sync locks.
#pragma once

#include "catalogdialect.h"
#include "synclock.h"

#include <QUrl>

class PostgresDialect : public CatalogDialect
{
public:
    CatalogBackend backend() const override { return CatalogBackend::Postgres; }
    QString driverName() const override { return QStringLiteral("QPSQL"); }
    bool open(QSqlDatabase &db, const QString &location, QString *error) override;
    const QList<QStringList> &migrations() const override;
    QStringList beginMigration() const override;
    QString beginWrite() const override;
    qint64 dataVersion(const QSqlDatabase &db) const override;
    QString addRunCommitSql() const override;
    QString runCountKey(const QString &entity) const override;
    QString childViewsSql() const override;
    QString claimScheduleSql() const override;
    QString typed(const FieldStats &field, const QString &json, const QString &path) const override;
    QString raw(const QString &json, const QString &path) const override;
    QString childViewFrom(const QString &path, const QString &where) const override;
    QString childPosition() const override;
    bool upsertRecords(QSqlDatabase &db, qint64 connectionId, const QString &entity, qint64 generation,
                       const RecordBatch &records, QString *error, Failure *failure) override;
    Failure classify(const QSqlError &error) const override;
    std::optional<QSet<qint64>> heldSyncLocks(const QSqlDatabase &db) const override;

    bool openReadOnly(QSqlDatabase &db, const QString &location, QString *error) const override;
    std::unique_ptr<QueryCanceller> canceller(const QSqlDatabase &db) const override;
    QString statementProblem(const QSqlDatabase &db, const QString &sql, QString *statement) const override;
    QString beginStatement() const override { return QStringLiteral("BEGIN READ ONLY"); }
    QString endStatement() const override { return QStringLiteral("ROLLBACK"); }
    QString objectsSql() const override;
    QString sampleFieldsSql() const override;
    QString integerKey() const override;
    QString shown(const FieldStats &field, const QString &json, const QString &path) const override;
    QString jsonText(const QString &json, const QString &path) const override;
    QByteArray recordJson(const QVariant &data) const override; // JSONB's text has blanks after , and :
    QString caseInsensitiveLike() const override { return QStringLiteral("ILIKE"); }
    QString anyValueLike() const override;
    QString notEqual() const override { return QStringLiteral("IS DISTINCT FROM"); }
    QString numericOperand() const override { return QStringLiteral("CAST(? AS numeric)"); }
    QString floorOf(const QString &expr) const override;
    QString dateBucket(const QString &value, HistogramUnit unit, FieldType type) const override;
    QString direction(Qt::SortOrder order) const override;

    // The session name a Mako Connect process gives its connections ("mako-connect 4242 build-7"): how a
    // lock's holder is named to the process that waits for it.
    static QByteArray applicationName();

private:
    bool prepareFullUpsert(void *conn); // PGconn*
    void *m_preparedOn = nullptr;       // the session holding the prepared upsert of a full statement
};

// Session advisory locks (pg_try_advisory_lock) on a libpq connection of the lock's own: the server
// releases them when the holder's session ends, however it ends.
class PostgresSyncLocks : public SyncLocks
{
public:
    explicit PostgresSyncLocks(const QString &url);
    std::unique_ptr<SyncLock> tryLock(qint64 connectionId, SyncLockHolder *holder, QString *error) override;

private:
    QString m_url;
};
