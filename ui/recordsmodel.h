// The records browser's table: one entity of one connection from the catalog's `records` table, the record
// key plus its typed fields as columns (RecordsQuery). Rows are loaded lazily (canFetchMore/fetchMore, pages
// of 200) by a loader on its own thread with its own read-only connection, so neither a 1,000,000-row entity
// nor a slow filter or sort ever blocks the GUI thread; only the rows scrolled to are held in memory.
#pragma once

#include "recordsquery.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QThread>
#include <QVector>

#include <atomic>
#include <memory>

struct RecordRow
{
    QString key;
    QVector<QVariant> values; // per field, see RecordsQuery::decode
};

// Lives on the loader thread; runs one request at a time and drops requests of stale generations.
class RecordsLoader : public QObject
{
    Q_OBJECT
public:
    explicit RecordsLoader(QString catalogPath);
    ~RecordsLoader() override;
    std::atomic<int> latestGeneration{0};
    std::atomic<QueryCanceller *> canceller{nullptr}; // of this loader's connection, for interrupts

    void sample(int generation, RecordsQuery query);
    void loadPage(int generation, const RecordsQuery &query, int limit, int offset, const QVariant &afterKey);
    void count(int generation, const RecordsQuery &query);

signals:
    void sampled(int generation, const QList<FieldStats> &fields, FieldType keyType, const QString &error);
    void pageLoaded(int generation, const QList<RecordRow> &rows, bool atEnd, const QString &error);
    void counted(int generation, qint64 count);

private:
    bool ensureOpen(QString *error);
    QString m_path;
    bool exec(int generation, QSqlQuery &query, const QString &sql, const QVariantList &binds);
    QString m_connectionName;
    QSqlDatabase m_db;
    std::unique_ptr<QueryCanceller> m_canceller;
};

class RecordsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role { TypeRole = Qt::UserRole + 1 }; // header: the column's FieldType, as int

    explicit RecordsModel(const QString &catalogPath, QObject *parent = nullptr);
    ~RecordsModel() override;

    // Shows `entity` of connection `connectionId`; `keyName` heads the key column (and is not repeated).
    void setEntity(qint64 connectionId, const QString &entity, const QString &keyName = QStringLiteral("id"));
    void clear();
    void setTextFilter(const QString &text);
    void setColumnFilter(int column, const QString &text);
    void setColumnFilters(const QHash<int, QString> &filters);
    // Timestamps as the API sent them (a toggle in the browser) rather than local date-times.
    void setRawValues(bool raw);
    // Reloads with the same entity, filters and sort (after a sync); columns are re-sampled.
    void refresh();

    RecordsQuery query() const { return m_query; }
    QString recordKey(int row) const;
    // The whole record as stored (the JSON the API sent). Reads one row by its key on the GUI thread's own
    // read-only connection (an indexed lookup).
    QByteArray recordJson(int row) const;
    bool isLoading() const { return m_pending || m_sampling; }
    qint64 totalCount() const { return m_total; } // matching rows; -1 until counted
    bool isComplete() const { return m_atEnd; }   // every matching row is loaded
    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    QString lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    void loadingChanged(bool loading);
    void totalCountChanged(qint64 count);
    void columnsReset(); // the set of columns changed (new entity or new fields)
    void pageLoaded();
    void errorOccurred(const QString &message);

private:
    void restart(bool resample);
    void requestPage();
    void onSampled(int generation, const QList<FieldStats> &fields, FieldType keyType, const QString &error);
    QVariant displayText(int column, const QVariant &value) const;
    bool isMatch(int column, const QString &shown) const; // the text search or a "contains" filter finds it
    void onPageLoaded(int generation, const QList<RecordRow> &rows, bool atEnd, const QString &error);
    void onCounted(int generation, qint64 count);
    void setLoading();

    QString m_catalogPath;
    QThread m_thread;
    RecordsLoader *m_loader;
    RecordsQuery m_query;
    QList<RecordRow> m_rows;
    int m_generation = 0;
    int m_pageSize = 200;
    bool m_pending = false;
    bool m_sampling = false;
    bool m_sampled = false; // fields sampled for the current entity
    bool m_atEnd = true;
    bool m_wasLoading = false;
    qint64 m_total = -1;
    QString m_error;
    QString m_readConnection; // GUI-thread read-only connection for recordJson()
};
