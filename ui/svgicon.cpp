#include "svgicon.h"

#include <QApplication>
#include <QFile>
#include <QPainter>
#include <QPalette>
#include <QSvgRenderer>

SvgIconEngine::SvgIconEngine(const QString &path, bool tinted, const QColor &fixedColor)
    : m_path(path)
    , m_tinted(tinted)
    , m_fixedColor(fixedColor)
{
    QFile file(path);
    if (file.open(QIODevice::ReadOnly))
        m_data = file.readAll();
}

QByteArray SvgIconEngine::dataFor(QIcon::Mode mode) const
{
    if (!m_tinted)
        return m_data;
    const QPalette palette = QApplication::palette();
    QColor color = palette.color(QPalette::Active, QPalette::WindowText);
    if (m_fixedColor.isValid())
        color = m_fixedColor;
    if (mode == QIcon::Disabled)
        color = palette.color(QPalette::Disabled, QPalette::WindowText);
    else if (mode == QIcon::Selected)
        color = palette.color(QPalette::Active, QPalette::HighlightedText);
    QByteArray data = m_data;
    data.replace("currentColor", color.name().toLatin1());
    return data;
}

void SvgIconEngine::paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State)
{
    // Vector all the way to the painter: crisp whatever the painter's device scale.
    QSvgRenderer renderer(dataFor(mode));
    renderer.setAspectRatioMode(Qt::KeepAspectRatio);
    if (!m_tinted && mode == QIcon::Disabled)
        painter->setOpacity(painter->opacity() * 0.45);
    renderer.render(painter, rect);
}

QPixmap SvgIconEngine::pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state)
{
    QPixmap pixmap = scaledPixmap(size, mode, state, 1.0);
    return pixmap;
}

QPixmap SvgIconEngine::scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state, qreal scale)
{
    Q_UNUSED(state)
    // QIcon::pixmap(size, dpr) hands us the size already in device pixels, with the ratio it will be shown
    // at: render exactly that many pixels from the vector source and tag them with the ratio.
    if (m_data.isEmpty() || size.isEmpty())
        return {};
    const QSize pixels = size;
    const QByteArray data = dataFor(mode);
    const QString cacheKey = QStringLiteral("%1x%2@%3/%4/%5")
                                 .arg(pixels.width())
                                 .arg(pixels.height())
                                 .arg(scale)
                                 .arg(int(mode))
                                 .arg(qHash(data));
    auto it = m_cache.constFind(cacheKey);
    if (it != m_cache.constEnd())
        return *it;

    QPixmap pixmap(pixels);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        QSvgRenderer renderer(data);
        renderer.setAspectRatioMode(Qt::KeepAspectRatio);
        if (!m_tinted && mode == QIcon::Disabled)
            painter.setOpacity(0.45);
        renderer.render(&painter, QRectF(QPointF(0, 0), QSizeF(pixels)));
    }
    pixmap.setDevicePixelRatio(scale);
    if (m_cache.size() > 64)
        m_cache.clear();
    m_cache.insert(cacheKey, pixmap);
    return pixmap;
}

QSize SvgIconEngine::actualSize(const QSize &size, QIcon::Mode, QIcon::State)
{
    return size;
}

QIconEngine *SvgIconEngine::clone() const
{
    auto *copy = new SvgIconEngine(QString(), m_tinted, m_fixedColor);
    copy->m_path = m_path;
    copy->m_data = m_data;
    return copy;
}

namespace Icons {

QIcon ui(const QString &name)
{
    return QIcon(new SvgIconEngine(QStringLiteral(":/ui/icons/%1.svg").arg(name), true));
}

QIcon ui(const QString &name, const QColor &color)
{
    return QIcon(new SvgIconEngine(QStringLiteral(":/ui/icons/%1.svg").arg(name), true, color));
}

QIcon connector(const QString &iconPath)
{
    if (!iconPath.isEmpty() && QFile::exists(iconPath))
        return QIcon(new SvgIconEngine(iconPath, false));
    return QIcon(new SvgIconEngine(QStringLiteral(":/icons/connector-generic.svg"), false));
}

QIcon app()
{
    return QIcon(new SvgIconEngine(QStringLiteral(":/icons/mako-connect.svg"), false));
}

} // namespace Icons
