"""The planted truth of the synthetic Chaoyang world, in one place.

Constructs and items live in :mod:`chaoyang.world.items`; the latent model, planted
configurations and community types in :mod:`chaoyang.world.truth`. Every dataset generator in
:mod:`chaoyang.data` reads :data:`DEFAULT_WORLD` (or a variant made with
:meth:`World.replace`), and every chapter compares its estimates with it.

Examples
--------
>>> from chaoyang.world import DEFAULT_WORLD
>>> DEFAULT_WORLD.pathway_truth("police")["a1"] > 0
True
>>> DEFAULT_WORLD.item_bias[0].item, DEFAULT_WORLD.item_bias[0].level
('BEL3', 'non-local')
"""

from chaoyang.world.items import (CONSTRUCTS, ITEMS, LATENT_ORDER, PARTICIPATION_FORMS, PATHWAYS, Construct,
                                  Item, items_of, legend_label)
from chaoyang.world.truth import (CONFIGURATION_MEANING, DEFAULT_ITEM_BIAS, DEFAULT_WORLD, DRIVERS, MEDIATORS, CommunityType,
                                  ItemBias, World, WorldError)

__all__ = ["WorldError", "CONSTRUCTS", "ITEMS", "LATENT_ORDER", "PARTICIPATION_FORMS", "PATHWAYS", "Construct", "Item",
           "items_of", "legend_label", "CONFIGURATION_MEANING", "DEFAULT_ITEM_BIAS", "DEFAULT_WORLD", "DRIVERS", "MEDIATORS", "CommunityType", "ItemBias", "World"]
