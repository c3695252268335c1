"""`listing`: article links picked from an HTML listing page with CSS selectors, for a
site with no usable feed or sitemap. Configured in YAML:

    links: "div.fusion-posts-container article h2 a"   # required: the article links
    next: "a.pagination-next"                          # optional: the next (older) page
    pages: 1                                           # listing pages read per run
    max_pages: 50                                      # cap for --backfill

A first page with no link matching `links` is an error (`failing`): the site's markup
has changed and the selector needs updating, which must not read as "no news".
"""
from .base import SourceSpider, listing_links


class ListingSpider(SourceSpider):
    name = "listing"

    def entry_requests(self):
        return [self.entry(self.source.url, self.parse_listing, page=1)]

    def parse_listing(self, response, page=1):
        selector = self.options["links"]
        links = listing_links(response, self.is_article, selector)
        if not links:
            self.entry_problem(response, f"no article link matches `links: {selector}` (has the markup changed?)")
            return
        recent = [link for link in links if self.recent(link.date)]
        yield from self.articles(links) if page == 1 else self.articles(recent, quiet=True)
        limit = int(self.options.get("max_pages", 50)) if self.cutoff else int(self.options.get("pages", 1))
        older = response.css(self.options["next"]).attrib.get("href") if self.options.get("next") else None
        if older and page < limit and len(recent) == len(links):
            yield self.entry(response.urljoin(older), self.parse_listing, secondary=True, conditional=False,
                             page=page + 1)
