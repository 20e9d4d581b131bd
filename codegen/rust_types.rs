//! Reading the Rust types progenitor and typify write (`Option<T>`, `::std::vec::Vec<T>`, …):
//! the one place that takes a wrapper apart.

/// `T` of `W<T>` where `W` (the last path segment) is one of `wrappers` and the path is bare or
/// of `std`/`alloc`/`core` (`Option<T>`, `::std::vec::Vec<T>`), with the wrapper's name.
pub fn unwrap_one<'t>(
    ty: &'t syn::Type,
    wrappers: &[&str],
) -> Option<(&'t syn::Type, &'t syn::Ident)> {
    let syn::Type::Path(tp) = ty else { return None };
    if tp.qself.is_some() {
        return None;
    }
    let segs = &tp.path.segments;
    let std_path = segs.len() == 1
        || segs
            .first()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "std" | "alloc" | "core"));
    let last = segs.last()?;
    if !std_path || !wrappers.iter().any(|w| last.ident == w) {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match (args.args.len(), args.args.first()?) {
        (1, syn::GenericArgument::Type(t)) => Some((t, &last.ident)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> syn::Type {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn takes_apart_std_wrappers_only() {
        let inner = |s: &str, w: &[&str]| {
            unwrap_one(&ty(s), w).map(|(t, id)| (quote::quote!(#t).to_string(), id.to_string()))
        };
        assert_eq!(
            inner("::std::vec::Vec<types::A>", &["Vec"]),
            Some(("types :: A".into(), "Vec".into()))
        );
        assert_eq!(
            inner("Option<i64>", &["Option", "Box"]),
            Some(("i64".into(), "Option".into()))
        );
        assert_eq!(inner("types::Vec<i64>", &["Vec"]), None);
        assert_eq!(inner("Option<i64>", &["Vec"]), None);
        assert_eq!(inner("HashMap<String, i64>", &["HashMap"]), None);
        assert_eq!(inner("String", &["Option"]), None);
    }
}
