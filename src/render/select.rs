//! What each page shows, as indices into the site: shared by the renderer and by the
//! dependency signatures of incremental rebuilds, so the two can never disagree.

use crate::site::Site;

/// Entries in a feed, as RSS readers expect.
pub const FEED_LENGTH: usize = 20;
/// Items on the home page besides the lead.
pub const HOME_LATEST: usize = 9;
pub const HOME_PROFILES: usize = 4;
/// "Related" items on an item page, and "same kind" profiles on a profile page.
pub const RELATED: usize = 4;

/// The entries of page `page` (1-based) of a listing.
pub fn page_slice(indices: &[usize], page: usize, per_page: usize) -> &[usize] {
    let start = (page.saturating_sub(1) * per_page).min(indices.len());
    let end = (start + per_page).min(indices.len());
    &indices[start..end]
}

/// The home page's lead: the newest item with a cover image, else the newest item.
pub fn home_lead(site: &Site) -> Option<usize> {
    site.items
        .iter()
        .position(|i| i.image.is_some())
        .or((!site.items.is_empty()).then_some(0))
}

/// The newest items other than the lead.
pub fn home_latest(site: &Site, lead: Option<usize>) -> Vec<usize> {
    (0..site.items.len())
        .filter(|i| Some(*i) != lead)
        .take(HOME_LATEST)
        .collect()
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
