// CatalogDialect for a SQLite file (sqlitedialect.cpp).
#pragma once

#include "catalogdialect.h"

#include <QFileInfo>

class SqliteDialect : public CatalogDialect
{
public:
    ~SqliteDialect() override;
    CatalogBackend backend() const override { return CatalogBackend::Sqlite; }
    QString driverName() const override { return QStringLiteral("QSQLITE"); }
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
    void *sqliteHandle(const QSqlDatabase &db) override;

    bool openReadOnly(QSqlDatabase &db, const QString &location, QString *error) const override;
    std::unique_ptr<QueryCanceller> canceller(const QSqlDatabase &db) const override;
    QString statementProblem(const QSqlDatabase &db, const QString &sql, QString *statement) const override;
    QString objectsSql() const override;
    QString sampleFieldsSql() const override;
    QString integerKey() const override;
    QString jsonText(const QString &json, const QString &path) const override;
    QString caseInsensitiveLike() const override { return QStringLiteral("LIKE"); }
    QString anyValueLike() const override;
    QString dataContains() const override;
    QString notEqual() const override { return QStringLiteral("IS NOT"); }
    QString numericOperand() const override { return QStringLiteral("?"); }
    QString floorOf(const QString &expr) const override;
    QString dateBucket(const QString &value, HistogramUnit unit, FieldType type) const override;
    QString direction(Qt::SortOrder order) const override;

    // Why the catalog at `info` cannot be written by this user (read-only file or folder), or "".
    static QString writeProblem(const QFileInfo &info);

private:
    void *m_sqlite = nullptr; // sqliteHandle(), once looked up
    bool m_sqliteChecked = false;
    void *m_upsert = nullptr; // sqlite3_stmt*: the record upsert
};
