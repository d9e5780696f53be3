#include "typebadge.h"

#include <QFont>
#include <QGuiApplication>
#include <QHash>
#include <QPainter>
#include <QPalette>
#include <QPixmap>

namespace TypeBadge {

QString text(FieldType type)
{
    switch (type) {
    case FieldType::Integer:
        return QStringLiteral("123");
    case FieldType::Real:
        return QStringLiteral("1.5");
    case FieldType::Boolean:
        return QStringLiteral("T/F");
    case FieldType::Text:
        return QStringLiteral("abc");
    case FieldType::Timestamp:
        return QStringLiteral("time");
    case FieldType::Date:
        return QStringLiteral("date");
    case FieldType::Object:
        return QStringLiteral("{}");
    case FieldType::Array:
        return QStringLiteral("[]");
    case FieldType::Unknown:
        break;
    }
    return QStringLiteral("?");
}

QIcon icon(FieldType type)
{
    static QHash<int, QIcon> cache;
    const auto it = cache.constFind(int(type));
    if (it != cache.cend())
        return *it;
    // Drawn at 2x so it stays sharp on high-density screens.
    const qreal scale = 2.0;
    QPixmap pixmap(QSize(30, 16) * scale);
    pixmap.setDevicePixelRatio(scale);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette palette = QGuiApplication::palette();
    QColor fill = palette.color(QPalette::Highlight);
    fill.setAlphaF(isNumeric(type)                                           ? 0.85
                   : type == FieldType::Timestamp || type == FieldType::Date ? 0.6
                                                                             : 0.3);
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill);
    painter.drawRoundedRect(QRectF(0.5, 1.5, 29, 13), 3, 3);
    QFont font = QGuiApplication::font();
    font.setPixelSize(9);
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(isNumeric(type) ? palette.color(QPalette::HighlightedText)
                                   : palette.color(QPalette::Text));
    painter.drawText(QRectF(0, 1, 30, 14), Qt::AlignCenter, text(type));
    painter.end();
    const QIcon made(pixmap);
    cache.insert(int(type), made);
    return made;
}

} // namespace TypeBadge
