"""Remote builders: derivations built on other machines over ssh, as Nix distributes builds.

The ``builders`` setting (:mod:`~pybuild.remote.machines`) names the machines; the realiser
hands each derivation to the :class:`~pybuild.remote.farm.Farm`, which sends it to a machine
with a free slot through a :class:`~pybuild.remote.client.Connection`, an ``ssh`` process
running ``pybuild serve --stdio`` there (:mod:`~pybuild.remote.serve`), the two speaking
:mod:`~pybuild.remote.protocol`.
"""
