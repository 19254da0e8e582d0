//! `cached_partial`: a template function that renders a partial template once per build for
//! each distinct set of arguments, like Hugo's `partialCached`.
//!
//! An item's card appears in four or five listings and a related-items block; the sidebar
//! is the same on nearly every page. Rendering them once and pasting the HTML saves a third
//! of the rendering time of a large site. Themes call it as
//! `{{ cached_partial(name="partials/item_card.html", item=item, level=3) }}`: the partial
//! sees its arguments (minus `name`) and `site`, and nothing else, so its output depends on
//! nothing the cache key leaves out.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap;
use tera::{Tera, Value};

/// Shared between the theme's `Tera` (which calls it) and the renderer (which starts each
/// build with an empty cache and the build's `site`).
#[derive(Default)]
pub struct PartialCache {
    /// The theme's templates, without this function: a cached partial cannot call another.
    tera: Tera,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    site: Value,
    /// Arguments, as canonical JSON (`name` included) → rendered HTML.
    rendered: FxHashMap<String, Arc<str>>,
}

impl PartialCache {
    pub fn new(tera: Tera) -> Arc<PartialCache> {
        Arc::new(PartialCache {
            tera,
            state: Mutex::default(),
        })
    }

    /// Forgets what was rendered: the content, and so `site`, may have changed.
    pub fn start_build(&self, site: Value) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.site = site;
        state.rendered.clear();
    }

    fn render(&self, args: &HashMap<String, Value>) -> tera::Result<Arc<str>> {
        let name = match args.get("name") {
            Some(Value::String(name)) => name.as_str(),
            _ => {
                return Err(tera::Error::msg(
                    "cached_partial cần `name`, tên một mẫu, ví dụ name=\"partials/the.html\"",
                ));
            }
        };
        // Sorted, so that the same arguments always make the same key.
        let sorted: BTreeMap<&String, &Value> = args.iter().collect();
        let key = serde_json::to_string(&sorted).map_err(tera::Error::json)?;
        let site = {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(html) = state.rendered.get(&key) {
                return Ok(html.clone());
            }
            state.site.clone()
        };
        // Rendered outside the lock: two threads may render the same partial at once, and
        // both get the same bytes.
        let mut context = tera::Context::new();
        context.insert("site", &site);
        for (arg, value) in args.iter().filter(|(arg, _)| arg.as_str() != "name") {
            context.insert(arg.as_str(), value);
        }
        let html: Arc<str> = self.tera.render(name, &context)?.into();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.rendered.insert(key, html.clone());
        Ok(html)
    }
}

/// The function registered in the theme's `Tera`.
pub struct CachedPartial(pub Arc<PartialCache>);

impl tera::Function for CachedPartial {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        self.0
            .render(args)
            .map(|html| Value::String(html.to_string()))
    }

    /// The partial's own `{{ }}` were escaped when it was rendered.
    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme() -> (Tera, Arc<PartialCache>) {
        let mut inner = Tera::default();
        inner
            .add_raw_template("card.html", "<b>{{ site.title }}: {{ item }}</b>")
            .unwrap();
        let cache = PartialCache::new(inner.clone());
        let mut outer = inner;
        outer.register_function("cached_partial", CachedPartial(cache.clone()));
        outer
            .add_raw_template(
                "page.html",
                "{% for i in items %}{{ cached_partial(name=\"card.html\", item=i) }}{% endfor %}",
            )
            .unwrap();
        (outer, cache)
    }

    #[test]
    fn renders_each_argument_set_once_per_build() {
        let (tera, cache) = theme();
        cache.start_build(serde_json::json!({ "title": "A" }));
        let mut context = tera::Context::new();
        context.insert("items", &["x<", "y", "x<"]);
        let html = tera.render("page.html", &context).unwrap();
        assert_eq!(html, "<b>A: x&lt;</b><b>A: y</b><b>A: x&lt;</b>");
        assert_eq!(cache.state.lock().unwrap().rendered.len(), 2);

        // A new build starts afresh: the site (or an item) may have changed.
        cache.start_build(serde_json::json!({ "title": "B" }));
        let html = tera.render("page.html", &context).unwrap();
        assert_eq!(html, "<b>B: x&lt;</b><b>B: y</b><b>B: x&lt;</b>");
    }

    #[test]
    fn a_missing_name_or_template_is_a_template_error() {
        let (tera, cache) = theme();
        cache.start_build(Value::Null);
        let mut tera = tera;
        tera.add_raw_template("no-name.html", "{{ cached_partial(item=1) }}")
            .unwrap();
        let error = tera
            .render("no-name.html", &tera::Context::new())
            .unwrap_err();
        let chain = format!("{:?}", error);
        assert!(chain.contains("cần `name`"), "{chain}");
        tera.add_raw_template("bad.html", "{{ cached_partial(name=\"nope.html\") }}")
            .unwrap();
        assert!(tera.render("bad.html", &tera::Context::new()).is_err());
    }
}
