// The records browser's table: one entity of one connection from the catalog's `records` table, the record
// key plus its typed fields as columns (RecordsQuery). The model has all N matching rows from the start, so
// the scrollbar, Ctrl+End and a drag reach any of them: a loader on its own thread with its own read-only
// connection first reads the rows' keys in order (RecordsKeys, which also counts them), then blocks of 200
// rows by key as they are shown; only the blocks last shown are held. Neither a 1,000,000-row entity nor a
// slow filter or sort ever blocks the GUI thread.
#pragma once

#include "recordsquery.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QThread>
#include <QVector>

#include <atomic>
#include <memory>

struct RecordRow
{
    QString key;
    QVector<QVariant> values; // per field, see RecordsQuery::decode; empty when the record was removed
};

// The keys of a view's rows in order, in one buffer: a million keys cost some 20 MB, not a QString each.
// Built on the loader thread, then shared read-only with the GUI thread.
class RecordsKeys
{
public:
    void append(const QString &key);
    int size() const { return int(m_ends.size()); }
    QString at(int row) const;

private:
    QByteArray m_utf8;
    QVector<qint64> m_ends; // m_utf8 offset after each key
};
using SharedKeys = std::shared_ptr<const RecordsKeys>;

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
    // The first `limit` rows straight from the query, before the keys are known (when the order follows
    // the key's index, so they come at once).
    void loadFirstBlock(int generation, const RecordsQuery &query, int limit);
    void loadKeys(int generation, const RecordsQuery &query);
    void loadBlock(int generation, const RecordsQuery &query, int block, const QStringList &keys);

signals:
    void sampled(int generation, const QList<FieldStats> &fields, FieldType keyType, const QString &error);
    void blockLoaded(int generation, int block, const QList<RecordRow> &rows, const QString &error);
    void keysLoaded(int generation, const SharedKeys &keys, const QString &error);

private:
    bool ensureOpen(QString *error);
    bool exec(int generation, QSqlQuery &query, const QString &sql, const QVariantList &binds);
    QString m_path;
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
    bool isLoading() const { return m_sampling || m_loadingKeys; }
    qint64 totalCount() const { return m_total; } // matching rows; -1 until counted
    bool isRowLoaded(int row) const;
    // Reads the rows not held yet between `first` and `last` now, on the GUI thread's read-only connection
    // (indexed lookups by key), for a copy of a selection.
    void loadRowsNow(int first, int last);
    static constexpr int kBlockSize = 200;
    QString lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    void loadingChanged(bool loading);
    void totalCountChanged(qint64 count);
    void columnsReset(); // the set of columns changed (new entity or new fields)
    void pageLoaded();   // a block of rows arrived
    void errorOccurred(const QString &message);

private:
    struct Block
    {
        QList<RecordRow> rows;
        quint64 lastUsed = 0;
    };
    static constexpr int kMaxBlocks = 64; // rows held: the blocks last shown

    void restart(bool resample);
    void startLoading();
    void onSampled(int generation, const QList<FieldStats> &fields, FieldType keyType, const QString &error);
    QVariant displayText(int column, const QVariant &value) const;
    bool isMatch(int column, const QString &shown) const; // the text search or a "contains" filter finds it
    void onBlockLoaded(int generation, int block, const QList<RecordRow> &rows, const QString &error);
    void onKeysLoaded(int generation, const SharedKeys &keys, const QString &error);
    void setRowCount(int rows);
    void storeBlock(int block, const QList<RecordRow> &rows);
    const RecordRow *row(int row) const; // nullptr until its block is in; asks for it
    void requestBlock(int block) const;
    QStringList blockKeys(int block) const;
    void reverseRows();
    void fail(const QString &error);
    void setLoading();
    QSqlDatabase readConnection() const;

    QString m_catalogPath;
    QThread m_thread;
    RecordsLoader *m_loader;
    RecordsQuery m_query;
    SharedKeys m_keys;           // null until the loader has read them
    bool m_keysReversed = false; // shown last to first (the sort's direction toggled)
    mutable QHash<int, Block> m_blocks;
    mutable QSet<int> m_requested;
    mutable quint64 m_useClock = 0;
    int m_rowCount = 0;
    int m_generation = 0;
    bool m_loadingKeys = false;
    bool m_sampling = false;
    bool m_sampled = false; // fields sampled for the current entity
    bool m_wasLoading = false;
    qint64 m_total = -1;
    QString m_error;
    QString m_readConnection; // GUI-thread read-only connection for recordJson() and loadRowsNow()
};
