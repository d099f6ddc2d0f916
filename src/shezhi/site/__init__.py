"""The site shell: navigation, landing pages and display preferences (above the feature apps)."""
