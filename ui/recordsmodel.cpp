#include "recordsmodel.h"

#include "readonlydb.h"
#include "typebadge.h"

#include <QBrush>
#include <QDateTime>
#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

// ---- loader (its own thread) ----

RecordsLoader::RecordsLoader(QString catalogPath)
    : m_path(std::move(catalogPath))
    , m_connectionName(ReadOnlyDb::uniqueName(QStringLiteral("mc-records-loader")))
{
}

RecordsLoader::~RecordsLoader()
{
    // Runs on the loader thread (deleted from QThread::finished), where the connection lives.
    canceller = nullptr;
    m_canceller.reset();
    if (m_db.isValid()) {
        m_db = QSqlDatabase();
        ReadOnlyDb::close(m_connectionName);
    }
}

bool RecordsLoader::ensureOpen(QString *error)
{
    if (m_db.isValid() && m_db.isOpen())
        return true;
    m_db = ReadOnlyDb::open(m_path, m_connectionName, error);
    m_canceller = ReadOnlyDb::canceller(m_db);
    canceller = m_canceller.get();
    return m_db.isOpen();
}

bool RecordsLoader::exec(int generation, QSqlQuery &query, const QString &sql, const QVariantList &binds)
{
    // Twice at most: PostgreSQL's cancel of a stale request may land on the next one, still wanted.
    QString error; // the caller reads query.lastError()
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (ReadOnlyDb::run(query, sql, binds, &error))
            return true;
        if (generation != latestGeneration ||
            CatalogDialect::of(m_db).classify(query.lastError()) != CatalogDialect::Failure::Cancelled)
            return false;
    }
    return false;
}

void RecordsLoader::sample(int generation, RecordsQuery query)
{
    if (generation != latestGeneration)
        return;
    QString error;
    if (ensureOpen(&error))
        query.loadColumns(m_db);
    emit sampled(generation, query.fields, query.keyType, error);
}

namespace {

QList<RecordRow> readRows(QSqlQuery &query, const RecordsQuery &request)
{
    QList<RecordRow> rows;
    const int fields = request.columnCount() - 1;
    while (query.next()) {
        RecordRow row;
        row.key = query.value(0).toString();
        row.values.reserve(fields);
        for (int f = 0; f < fields; ++f)
            row.values.append(request.decode(f + 1, query.value(f + 1)));
        rows.append(std::move(row));
    }
    return rows;
}

// A block read by key, in the keys' order; a record removed since the keys were read keeps its row, empty.
QList<RecordRow> inKeyOrder(QList<RecordRow> read, const QStringList &keys)
{
    QHash<QString, RecordRow> byKey;
    for (RecordRow &row : read)
        byKey.insert(row.key, std::move(row));
    QList<RecordRow> rows;
    rows.reserve(keys.size());
    for (const QString &key : keys)
        rows.append(byKey.value(key, RecordRow{key, {}}));
    return rows;
}

} // namespace

void RecordsLoader::loadFirstBlock(int generation, const RecordsQuery &request, int limit)
{
    if (generation != latestGeneration)
        return; // the user changed the view meanwhile
    QString error;
    QList<RecordRow> rows;
    if (ensureOpen(&error)) {
        QVariantList binds;
        const QString sql = request.pageSql(&binds, limit, 0, {});
        QSqlQuery query(m_db);
        if (exec(generation, query, sql, binds))
            rows = readRows(query, request);
        else if (generation == latestGeneration)
            error = query.lastError().text();
    }
    if (generation == latestGeneration)
        emit blockLoaded(generation, 0, rows, error);
}

void RecordsLoader::loadKeys(int generation, const RecordsQuery &request)
{
    if (generation != latestGeneration)
        return;
    QString error;
    auto keys = std::make_shared<RecordsKeys>();
    if (ensureOpen(&error)) {
        QVariantList binds;
        QSqlQuery query(m_db);
        if (exec(generation, query, request.keysSql(&binds), binds)) {
            while (query.next())
                keys->append(query.value(0).toString());
        } else if (generation == latestGeneration) {
            error = query.lastError().text();
        }
    }
    if (generation == latestGeneration)
        emit keysLoaded(generation, std::move(keys), error);
}

void RecordsLoader::loadBlock(int generation, const RecordsQuery &request, int block, const QStringList &keys)
{
    if (generation != latestGeneration)
        return;
    QString error;
    QList<RecordRow> rows;
    if (ensureOpen(&error)) {
        QVariantList binds;
        QSqlQuery query(m_db);
        if (exec(generation, query, request.rowsByKeySql(&binds, keys), binds))
            rows = inKeyOrder(readRows(query, request), keys);
        else if (generation == latestGeneration)
            error = query.lastError().text();
    }
    if (generation == latestGeneration)
        emit blockLoaded(generation, block, rows, error);
}

// ---- keys ----

void RecordsKeys::append(const QString &key)
{
    m_utf8 += key.toUtf8();
    m_ends.append(m_utf8.size());
}

QString RecordsKeys::at(int row) const
{
    if (row < 0 || row >= m_ends.size())
        return {};
    const qint64 start = row == 0 ? 0 : m_ends.at(row - 1);
    return QString::fromUtf8(m_utf8.constData() + start, m_ends.at(row) - start);
}

// ---- model (GUI thread) ----

RecordsModel::RecordsModel(const QString &catalogPath, QObject *parent)
    : QAbstractTableModel(parent)
    , m_catalogPath(catalogPath)
    , m_loader(new RecordsLoader(catalogPath))
{
    m_thread.setObjectName(QStringLiteral("records-loader"));
    m_loader->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_loader, &QObject::deleteLater);
    connect(m_loader, &RecordsLoader::sampled, this, &RecordsModel::onSampled);
    connect(m_loader, &RecordsLoader::blockLoaded, this, &RecordsModel::onBlockLoaded);
    connect(m_loader, &RecordsLoader::keysLoaded, this, &RecordsModel::onKeysLoaded);
    m_thread.start();
}

RecordsModel::~RecordsModel()
{
    m_loader->latestGeneration = -1;            // drop queued requests
    ReadOnlyDb::interrupt(m_loader->canceller); // and cut a long one short
    m_thread.quit();
    m_thread.wait();
    if (!m_readConnection.isEmpty())
        ReadOnlyDb::close(m_readConnection);
}

void RecordsModel::setEntity(qint64 connectionId, const QString &entity, const QString &keyName)
{
    m_query = RecordsQuery();
    m_query.backend = CatalogLocation::backendOf(m_catalogPath);
    m_query.connectionId = connectionId;
    m_query.entity = entity;
    m_query.keyName = keyName.isEmpty() ? QStringLiteral("id") : keyName;
    m_sampled = false;
    restart(true);
}

void RecordsModel::clear()
{
    m_query = RecordsQuery();
    m_sampled = false;
    restart(false);
}

void RecordsModel::setTextFilter(const QString &text)
{
    if (m_query.text == text)
        return;
    m_query.text = text;
    restart(false);
}

void RecordsModel::setColumnFilter(int column, const QString &text)
{
    if (m_query.columnFilters.value(column) == text)
        return;
    if (text.trimmed().isEmpty())
        m_query.columnFilters.remove(column);
    else
        m_query.columnFilters.insert(column, text);
    restart(false);
}

void RecordsModel::setColumnFilters(const QHash<int, QString> &filters)
{
    QHash<int, QString> cleaned;
    for (auto it = filters.constBegin(); it != filters.constEnd(); ++it)
        if (!it.value().trimmed().isEmpty())
            cleaned.insert(it.key(), it.value());
    if (cleaned == m_query.columnFilters)
        return;
    m_query.columnFilters = cleaned;
    restart(false);
}

void RecordsModel::setRawValues(bool raw)
{
    if (m_query.rawValues == raw)
        return;
    m_query.rawValues = raw;
    if (!m_query.entity.isEmpty() && !m_sampling)
        restart(false);
}

void RecordsModel::refresh()
{
    restart(true);
}

void RecordsModel::restart(bool resample)
{
    const int generation = ++m_generation;
    m_loader->latestGeneration = generation;
    ReadOnlyDb::interrupt(m_loader->canceller); // a stale sort or count over a big entity stops now

    beginResetModel();
    m_keys.reset();
    m_keysReversed = false;
    m_blocks.clear();
    m_requested.clear();
    m_rowCount = 0;
    m_loadingKeys = false;
    m_error.clear();
    if (!m_sampled)
        resample = true; // filters or sort changed before the columns were known
    m_sampling = false;
    endResetModel();
    if (m_total != -1) {
        m_total = -1;
        emit totalCountChanged(-1);
    }
    if (resample)
        emit columnsReset();

    if (m_query.entity.isEmpty()) {
        setLoading();
        return;
    }
    if (resample) {
        m_sampling = true;
        const RecordsQuery query = m_query;
        QMetaObject::invokeMethod(
            m_loader, [loader = m_loader, generation, query] { loader->sample(generation, query); });
    } else {
        startLoading();
    }
    setLoading();
}

void RecordsModel::startLoading()
{
    // In the key's own order the first rows come at once (the index, stopping at 200 matches): shown while
    // the keys of all of them are read. Any other order has to see every row first anyway.
    m_loadingKeys = true;
    const int generation = m_generation;
    const RecordsQuery query = m_query;
    if (query.sortColumn <= 0 && query.keyType != FieldType::Integer) {
        m_requested.insert(0);
        QMetaObject::invokeMethod(m_loader, [loader = m_loader, generation, query] {
            loader->loadFirstBlock(generation, query, kBlockSize);
        });
    }
    QMetaObject::invokeMethod(
        m_loader, [loader = m_loader, generation, query] { loader->loadKeys(generation, query); });
}

void RecordsModel::onSampled(int generation, const QList<FieldStats> &fields, FieldType keyType,
                             const QString &error)
{
    if (generation != m_generation)
        return;
    m_sampling = false;
    m_sampled = true;
    beginResetModel();
    m_query.fields = fields;
    m_query.keyType = keyType;
    // Column filters index columns: keep only those that still exist.
    for (auto it = m_query.columnFilters.begin(); it != m_query.columnFilters.end();)
        it = it.key() < m_query.columnCount() ? std::next(it) : m_query.columnFilters.erase(it);
    if (m_query.sortColumn >= m_query.columnCount())
        m_query.sortColumn = 0;
    endResetModel();
    emit columnsReset();
    if (!error.isEmpty()) {
        m_error = error;
        emit errorOccurred(error);
    }
    startLoading();
    setLoading();
}

void RecordsModel::onBlockLoaded(int generation, int block, const QList<RecordRow> &rows,
                                 const QString &error)
{
    if (generation != m_generation)
        return;
    m_requested.remove(block);
    if (!error.isEmpty()) {
        fail(error);
        return;
    }
    storeBlock(block, rows);
    if (!m_keys) {
        setRowCount(int(rows.size())); // the first rows, before the count
    } else if (!rows.isEmpty()) {
        const int first = block * kBlockSize;
        emit dataChanged(index(first, 0),
                         index(qMin(m_rowCount, first + int(rows.size())) - 1, columnCount() - 1));
    }
    emit pageLoaded();
}

void RecordsModel::onKeysLoaded(int generation, const SharedKeys &keys, const QString &error)
{
    if (generation != m_generation)
        return;
    m_loadingKeys = false;
    if (!error.isEmpty()) {
        fail(error);
        return;
    }
    m_keys = keys;
    // A block read before the keys (the first rows) stays only if the rows are still those.
    for (auto it = m_blocks.begin(); it != m_blocks.end();) {
        const QList<RecordRow> &rows = it->rows;
        bool same = true;
        for (int i = 0; i < rows.size() && same; ++i)
            same = rows.at(i).key == recordKey(it.key() * kBlockSize + i);
        it = same ? std::next(it) : m_blocks.erase(it);
    }
    setRowCount(keys->size());
    if (m_rowCount > 0)
        emit dataChanged(index(0, 0), index(qMin(m_rowCount, kBlockSize) - 1, columnCount() - 1));
    m_total = keys->size();
    emit totalCountChanged(m_total);
    setLoading();
}

void RecordsModel::setRowCount(int rows)
{
    if (rows > m_rowCount) {
        beginInsertRows({}, m_rowCount, rows - 1);
        m_rowCount = rows;
        endInsertRows();
    } else if (rows < m_rowCount) {
        beginRemoveRows({}, rows, m_rowCount - 1);
        m_rowCount = rows;
        endRemoveRows();
    }
}

void RecordsModel::storeBlock(int block, const QList<RecordRow> &rows)
{
    if (m_blocks.size() >= kMaxBlocks && !m_blocks.contains(block)) {
        auto oldest = m_blocks.begin();
        for (auto it = m_blocks.begin(); it != m_blocks.end(); ++it)
            if (it->lastUsed < oldest->lastUsed)
                oldest = it;
        m_blocks.erase(oldest);
    }
    m_blocks.insert(block, Block{rows, ++m_useClock});
}

const RecordRow *RecordsModel::row(int row) const
{
    const int block = row / kBlockSize;
    const auto it = m_blocks.find(block);
    if (it != m_blocks.end() && row % kBlockSize < it->rows.size()) {
        it->lastUsed = ++m_useClock;
        return &it->rows.at(row % kBlockSize);
    }
    requestBlock(block);
    return nullptr;
}

void RecordsModel::requestBlock(int block) const
{
    if (!m_keys || m_requested.contains(block) || !m_error.isEmpty())
        return;
    m_requested.insert(block);
    const int generation = m_generation;
    const RecordsQuery query = m_query;
    const QStringList keys = blockKeys(block);
    QMetaObject::invokeMethod(m_loader, [loader = m_loader, generation, query, block, keys] {
        loader->loadBlock(generation, query, block, keys);
    });
}

void RecordsModel::fail(const QString &error)
{
    m_error = error;
    m_loadingKeys = false;
    setLoading();
    emit errorOccurred(error);
    emit pageLoaded();
}

QStringList RecordsModel::blockKeys(int block) const
{
    QStringList keys;
    for (int row = block * kBlockSize; row < qMin(m_rowCount, (block + 1) * kBlockSize); ++row)
        keys << recordKey(row);
    return keys;
}

bool RecordsModel::isRowLoaded(int row) const
{
    const auto it = m_blocks.constFind(row / kBlockSize);
    return it != m_blocks.constEnd() && row % kBlockSize < it->rows.size();
}

void RecordsModel::setLoading()
{
    const bool loading = isLoading();
    if (loading != m_wasLoading) {
        m_wasLoading = loading;
        emit loadingChanged(loading);
    }
}

QString RecordsModel::recordKey(int row) const
{
    if (row < 0 || row >= m_rowCount)
        return {};
    if (m_keys)
        return m_keys->at(m_keysReversed ? m_keys->size() - 1 - row : row);
    const auto it = m_blocks.constFind(row / kBlockSize);
    return it != m_blocks.constEnd() ? it->rows.value(row % kBlockSize).key : QString();
}

QSqlDatabase RecordsModel::readConnection() const
{
    auto *self = const_cast<RecordsModel *>(this);
    if (m_readConnection.isEmpty())
        self->m_readConnection = ReadOnlyDb::uniqueName(QStringLiteral("mc-records-gui"));
    QSqlDatabase db = QSqlDatabase::database(m_readConnection, false);
    if (!db.isValid() || !db.isOpen())
        db = ReadOnlyDb::open(m_catalogPath, m_readConnection);
    return db;
}

QByteArray RecordsModel::recordJson(int row) const
{
    const QString key = recordKey(row);
    if (key.isEmpty())
        return {};
    QSqlDatabase db = readConnection();
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("SELECT data FROM records WHERE connection_id = ? AND entity = ? AND record_key = ?"));
    query.addBindValue(m_query.connectionId);
    query.addBindValue(m_query.entity);
    query.addBindValue(key);
    if (query.exec() && query.next())
        return CatalogDialect::of(db).recordJson(query.value(0));
    return {};
}

void RecordsModel::loadRowsNow(int first, int last)
{
    if (!m_keys)
        return; // before the keys only the first rows exist, and they are held
    first = qMax(0, first);
    last = qMin(m_rowCount - 1, last);
    QSqlDatabase db = readConnection();
    for (int block = first / kBlockSize; block <= last / kBlockSize; ++block) {
        if (m_blocks.contains(block))
            continue;
        const QStringList keys = blockKeys(block);
        QVariantList binds;
        QSqlQuery query(db);
        if (!ReadOnlyDb::run(query, m_query.rowsByKeySql(&binds, keys), binds, nullptr))
            return;
        storeBlock(block, inKeyOrder(readRows(query, m_query), keys));
    }
}

int RecordsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rowCount;
}

int RecordsModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || m_query.entity.isEmpty())
        return 0;
    return m_query.columnCount();
}

QVariant RecordsModel::displayText(int column, const QVariant &value) const
{
    const QLocale locale;
    const QMetaType meta = value.metaType();
    switch (m_query.rawValues ? FieldType::Unknown : m_query.columnType(column)) {
    case FieldType::Integer:
        if (column > 0 && meta == QMetaType::fromType<qlonglong>())
            return locale.toString(value.toLongLong());
        break;
    case FieldType::Real:
        if (meta == QMetaType::fromType<double>())
            return locale.toString(value.toDouble(), 'f', QLocale::FloatingPointShortest);
        break;
    case FieldType::Timestamp: {
        // ISO-8601 UTC in the catalog, the analyst's local time on screen.
        const QDateTime moment = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        if (moment.isValid())
            return moment.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        break;
    }
    default:
        break;
    }
    QString text = RecordsQuery::toText(value);
    if (text.size() > 300)
        text = text.left(300) + QStringLiteral("…");
    return text;
}

QVariant RecordsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int column = index.column();
    const RecordRow *held = row(index.row());
    if (!held) // its block is on its way: the key is known, the rest shows when it comes
        return column == 0 && role == Qt::DisplayRole ? QVariant(recordKey(index.row())) : QVariant();
    const QVariant value = column == 0 ? QVariant(held->key) : held->values.value(column - 1);
    const bool isNull = RecordsQuery::isJsonNull(value);
    switch (role) {
    case Qt::DisplayRole:
        return displayText(column, value);
    case Qt::EditRole:
        return isNull ? QVariant() : value;
    case Qt::ToolTipRole: {
        if (m_query.columnType(column) == FieldType::Timestamp && !isNull)
            return tr("%1 local time\n%2 UTC").arg(displayText(column, value).toString(), value.toString());
        const QString text = RecordsQuery::toText(value);
        return text.size() > 60 ? text.left(2000) : QVariant();
    }
    case Qt::TextAlignmentRole: {
        const QMetaType type = value.metaType();
        if (isNumeric(m_query.columnType(column)) || type == QMetaType::fromType<qlonglong>() ||
            type == QMetaType::fromType<double>())
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    }
    case Qt::ForegroundRole:
        if (isNull)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::BackgroundRole:
        if (!isNull && isMatch(column, displayText(column, value).toString()))
            return QBrush(QColor(0xff, 0xf1, 0xa8)); // what the search or the column's filter found
        return {};
    case Qt::FontRole:
        if (isNull) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

bool RecordsModel::isMatch(int column, const QString &shown) const
{
    const QString needle = m_query.text.trimmed();
    if (!needle.isEmpty() && shown.contains(needle, Qt::CaseInsensitive))
        return true;
    const QString filter = m_query.columnFilters.value(column).trimmed();
    static const QRegularExpression comparison(QStringLiteral("^(>=|<=|!=|=|>|<)"));
    return !filter.isEmpty() && !comparison.match(filter).hasMatch() &&
           shown.contains(filter, Qt::CaseInsensitive);
}

QVariant RecordsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        if (role == Qt::DisplayRole)
            return section + 1;
        return {};
    }
    if (section < 0 || section >= columnCount())
        return {};
    const FieldType type = m_query.columnType(section);
    switch (role) {
    case Qt::DisplayRole:
        return m_query.columnName(section);
    case Qt::DecorationRole:
        return TypeBadge::icon(type);
    case TypeRole:
        return int(type);
    case Qt::ToolTipRole: {
        if (section == 0)
            return tr("Record key (%1)").arg(m_query.keyName);
        const FieldStats &field = m_query.fields.at(section - 1);
        return tr("%1\n%2").arg(m_query.columnName(section),
                                field.counts.total() > 0 ? field.summary()
                                                         : tr("No schema kept yet: run a sync to type it"));
    }
    default:
        return {};
    }
}

void RecordsModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0)
        column = 0;
    if (column == m_query.sortColumn && order == m_query.order)
        return;
    const bool reversal = column == m_query.sortColumn && m_keys && m_error.isEmpty();
    m_query.sortColumn = column;
    m_query.order = order;
    if (reversal)
        reverseRows();
    else if (!m_query.entity.isEmpty() && !m_sampling)
        restart(false);
}

void RecordsModel::reverseRows()
{
    // The same column the other way: ties are broken by the key in the same direction, so the order is
    // total and the other way is exactly these rows backwards. No query.
    const int generation = ++m_generation;
    m_loader->latestGeneration = generation; // blocks on their way are in the old order
    beginResetModel();
    m_keysReversed = !m_keysReversed;
    m_blocks.clear();
    m_requested.clear();
    endResetModel();
}

Qt::ItemFlags RecordsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}
