//! What each page shows, as indices into the site: shared by the renderer and by the
//! dependency signatures of incremental rebuilds, so the two can never disagree.

use crate::model::site::Site;

/// Entries in a feed, as RSS readers expect.
pub const FEED_LENGTH: usize = 20;
/// Secondary headlines beside the home page's lead story.
pub const HOME_HEADLINES: usize = 4;
/// Items in the home page's "latest" grid, after the lead and the headlines.
pub const HOME_LATEST: usize = 6;
/// Topic blocks on the home page, and the items in each.
pub const HOME_TOPICS: usize = 3;
pub const TOPIC_ITEMS: usize = 4;
pub const HOME_PROFILES: usize = 4;
/// "Related" items on an item page, and "same kind" profiles on a profile page.
pub const RELATED: usize = 4;

/// The entries of page `page` (1-based) of a listing.
pub fn page_slice(indices: &[usize], page: usize, per_page: usize) -> &[usize] {
    let start = (page.saturating_sub(1) * per_page).min(indices.len());
    let end = (start + per_page).min(indices.len());
    &indices[start..end]
}

/// What the home page shows, as indices into `Site::items` (and `Site::tags`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Home {
    pub lead: Option<usize>,
    pub headlines: Vec<usize>,
    pub latest: Vec<usize>,
    /// `(tag, items)`: a block per topic.
    pub topics: Vec<(usize, Vec<usize>)>,
}

/// The home page's choice (README, "Tin nổi bật"):
/// - items whose `featured:` holds at the build moment, newest first: the first with a cover
///   image (else the first) is the lead, the next [`HOME_HEADLINES`] are the headlines;
/// - with nothing featured the lead is the newest item with a cover image (else the newest);
///   headlines left free are filled with the newest items not shown yet;
/// - the latest grid: the newest items not shown above;
/// - topic blocks: the [`HOME_TOPICS`] tags carrying most items (ties by name), each with
///   its newest items that are not the lead or a headline.
pub fn home(site: &Site) -> Home {
    let featured: Vec<usize> = (0..site.items.len())
        .filter(|&i| site.items[i].featured.active_at(site.now))
        .collect();
    let with_image = |&i: &usize| site.items[i].image.is_some();
    let lead = featured.iter().copied().find(with_image);
    let lead = lead.or(featured.first().copied()).or_else(|| {
        site.items
            .iter()
            .position(|i| i.image.is_some())
            .or((!site.items.is_empty()).then_some(0))
    });
    let mut headlines: Vec<usize> = featured
        .iter()
        .copied()
        .filter(|&i| Some(i) != lead)
        .take(HOME_HEADLINES)
        .collect();
    let fill: Vec<usize> = (0..site.items.len())
        .filter(|&i| Some(i) != lead && !headlines.contains(&i))
        .take(HOME_HEADLINES - headlines.len())
        .collect();
    headlines.extend(fill);
    // Featured headlines may be older than the fill: the page lists them newest first.
    headlines.sort_unstable();
    let shown = |i: usize| Some(i) == lead || headlines.contains(&i);
    let latest = (0..site.items.len())
        .filter(|&i| !shown(i))
        .take(HOME_LATEST)
        .collect();
    let mut tags: Vec<usize> = (0..site.tags.len()).collect();
    tags.sort_by(|&a, &b| {
        let (a, b) = (&site.tags[a], &site.tags[b]);
        b.items.len().cmp(&a.items.len()).then(a.slug.cmp(&b.slug))
    });
    let topics = tags
        .into_iter()
        .map(|t| {
            let items = site.tags[t]
                .items
                .iter()
                .copied()
                .filter(|&i| !shown(i))
                .take(TOPIC_ITEMS)
                .collect::<Vec<_>>();
            (t, items)
        })
        .filter(|(_, items)| !items.is_empty())
        .take(HOME_TOPICS)
        .collect();
    Home {
        lead,
        headlines,
        latest,
        topics,
    }
}

/// Profiles featured on the home page: the most recent by year.
pub fn featured_profiles(site: &Site) -> Vec<usize> {
    let mut featured: Vec<usize> = (0..site.profiles.len()).collect();
    featured.sort_by_key(|&i| std::cmp::Reverse(site.profiles[i].year));
    featured.truncate(HOME_PROFILES);
    featured
}

/// Items of the same unit around item `i` in time (never `i` itself).
pub fn related(site: &Site, i: usize) -> Vec<usize> {
    let same_unit = &site.items_by_unit[site.items[i].unit.0];
    let position = same_unit.binary_search(&i).unwrap_or(0);
    same_unit
        .iter()
        .skip(position.saturating_sub(RELATED / 2))
        .take(RELATED + 1)
        .copied()
        .filter(|&j| j != i)
        .take(RELATED)
        .collect()
}

/// The newer and older neighbours of item `i`.
pub fn neighbours(site: &Site, i: usize) -> (Option<usize>, Option<usize>) {
    (
        i.checked_sub(1),
        (i + 1 < site.items.len()).then_some(i + 1),
    )
}

/// Other profiles of the same kind as profile `i`.
pub fn same_kind(site: &Site, i: usize) -> Vec<usize> {
    site.profiles_by_kind[site.profiles[i].kind.0]
        .iter()
        .copied()
        .filter(|&j| j != i)
        .take(RELATED)
        .collect()
}

/// The newest `FEED_LENGTH` of `indices`.
pub fn feed(indices: &[usize]) -> &[usize] {
    &indices[..indices.len().min(FEED_LENGTH)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices() {
        let all: Vec<usize> = (0..5).collect();
        assert_eq!(page_slice(&all, 1, 2), [0, 1]);
        assert_eq!(page_slice(&all, 3, 2), [4]);
        assert_eq!(page_slice(&all, 4, 2), [] as [usize; 0]);
        assert_eq!(feed(&all), [0, 1, 2, 3, 4]);
    }
}
