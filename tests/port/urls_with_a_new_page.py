"""The app's URLs plus one page nobody described: the URL walk must notice it."""

from django.http import HttpResponse
from django.urls import include, path

from port.urls import urlpatterns as app_urlpatterns
from survivors.urls import urlpatterns as survivor_urlpatterns

new_survivor_urls = ([*survivor_urlpatterns, path("new/", lambda request: HttpResponse(), name="brand_new_page")],
                     "survivors")
urlpatterns = [p for p in app_urlpatterns if str(p.pattern) != "survivors/"]
urlpatterns.append(path("survivors/", include(new_survivor_urls)))
