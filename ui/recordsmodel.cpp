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

void RecordsLoader::loadPage(int generation, const RecordsQuery &request, int limit, int offset,
                             const QVariant &afterKey)
{
    if (generation != latestGeneration)
        return; // the user changed the view meanwhile
    QString error;
    QList<RecordRow> rows;
    bool atEnd = true;
    if (ensureOpen(&error)) {
        QVariantList binds;
        const QString sql = request.pageSql(&binds, limit, offset, afterKey);
        QSqlQuery query(m_db);
        if (exec(generation, query, sql, binds)) {
            const int fields = request.columnCount() - 1;
            while (query.next()) {
                RecordRow row;
                row.key = query.value(0).toString();
                row.values.reserve(fields);
                for (int f = 0; f < fields; ++f)
                    row.values.append(request.decode(f + 1, query.value(f + 1)));
                rows.append(std::move(row));
            }
            atEnd = rows.size() < limit;
        } else if (generation == latestGeneration) {
            error = query.lastError().text();
        }
    }
    emit pageLoaded(generation, rows, atEnd, error);
}

void RecordsLoader::count(int generation, const RecordsQuery &request)
{
    if (generation != latestGeneration)
        return;
    QString error;
    if (!ensureOpen(&error))
        return;
    QVariantList binds;
    QSqlQuery query(m_db);
    if (exec(generation, query, request.countSql(&binds), binds) && query.next())
        emit counted(generation, query.value(0).toLongLong());
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
    connect(m_loader, &RecordsLoader::pageLoaded, this, &RecordsModel::onPageLoaded);
    connect(m_loader, &RecordsLoader::counted, this, &RecordsModel::onCounted);
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
    m_rows.clear();
    m_pending = false;
    m_atEnd = true;
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
        m_atEnd = false;
        requestPage();
        const RecordsQuery query = m_query;
        QMetaObject::invokeMethod(
            m_loader, [loader = m_loader, generation, query] { loader->count(generation, query); });
    }
    setLoading();
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
    m_atEnd = false;
    endResetModel();
    emit columnsReset();
    if (!error.isEmpty()) {
        m_error = error;
        emit errorOccurred(error);
    }
    requestPage();
    const RecordsQuery query = m_query;
    QMetaObject::invokeMethod(m_loader,
                              [loader = m_loader, generation, query] { loader->count(generation, query); });
    setLoading();
}

void RecordsModel::requestPage()
{
    if (m_pending || m_atEnd || m_sampling || m_query.entity.isEmpty())
        return;
    m_pending = true;
    const int generation = m_generation;
    const RecordsQuery query = m_query;
    const int limit = m_pageSize;
    const int offset = int(m_rows.size());
    const QVariant afterKey = m_rows.isEmpty() ? QVariant() : QVariant(m_rows.constLast().key);
    QMetaObject::invokeMethod(m_loader, [loader = m_loader, generation, query, limit, offset, afterKey] {
        loader->loadPage(generation, query, limit, offset, afterKey);
    });
    setLoading();
}

void RecordsModel::onPageLoaded(int generation, const QList<RecordRow> &rows, bool atEnd,
                                const QString &error)
{
    if (generation != m_generation)
        return;
    // m_pending stays set until the rows are in: a view or tester calling fetchMore() from inside
    // beginInsertRows() must not ask for the same page again.
    if (!error.isEmpty()) {
        m_atEnd = true;
        m_error = error;
        m_pending = false;
        emit errorOccurred(error);
    } else {
        if (!rows.isEmpty()) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size() - 1));
            m_rows.append(rows);
            endInsertRows();
        }
        m_atEnd = atEnd;
        m_pending = false;
    }
    setLoading();
    emit pageLoaded();
}

void RecordsModel::onCounted(int generation, qint64 count)
{
    if (generation != m_generation)
        return;
    m_total = count;
    emit totalCountChanged(count);
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
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).key : QString();
}

QByteArray RecordsModel::recordJson(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    auto *self = const_cast<RecordsModel *>(this);
    if (m_readConnection.isEmpty())
        self->m_readConnection = ReadOnlyDb::uniqueName(QStringLiteral("mc-records-gui"));
    QSqlDatabase db = QSqlDatabase::database(m_readConnection, false);
    if (!db.isValid() || !db.isOpen())
        db = ReadOnlyDb::open(m_catalogPath, m_readConnection);
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("SELECT data FROM records WHERE connection_id = ? AND entity = ? AND record_key = ?"));
    query.addBindValue(m_query.connectionId);
    query.addBindValue(m_query.entity);
    query.addBindValue(m_rows.at(row).key);
    if (query.exec() && query.next())
        return CatalogDialect::of(db).recordJson(query.value(0));
    return {};
}

int RecordsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
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
    const RecordRow &row = m_rows.at(index.row());
    const int column = index.column();
    const QVariant value = column == 0 ? QVariant(row.key) : row.values.value(column - 1);
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

bool RecordsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd && !m_sampling && !m_query.entity.isEmpty();
}

void RecordsModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid())
        return;
    requestPage(); // asynchronous: rows arrive with beginInsertRows when the loader answers
}

void RecordsModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0)
        column = 0;
    if (column == m_query.sortColumn && order == m_query.order)
        return;
    m_query.sortColumn = column;
    m_query.order = order;
    if (!m_query.entity.isEmpty() && !m_sampling)
        restart(false);
}

Qt::ItemFlags RecordsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}
